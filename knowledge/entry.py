"""A knowledge-base entry: one question, its other phrasings and one answer."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """An answer and the questions it answers; `origin` says where it was read."""

    id: str
    question: str
    answer: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""
    origin: str = field(default="", compare=False)

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question first, then every other phrasing, without repeats."""
        return tuple(dict.fromkeys((self.question, *self.questions)))

    def canonical(self) -> dict[str, object]:
        """What identifies the entry's content (its origin aside), for hashing."""
        return {
            "id": self.id,
            "question": self.question,
            "questions": list(self.questions),
            "answer": self.answer,
            "tags": list(self.tags),
            "source": self.source,
        }
