"""What a search returns: whether it found a confident answer, and the closest entries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Hit:
    """An entry found for a question, with the confidence (0–1) that it answers it."""

    id: str
    question: str
    answer: str
    score: float

    def to_json(self) -> dict[str, object]:
        """The contract's hit: {id, question, answer, score}."""
        return {
            "id": self.id,
            "question": self.question,
            "answer": self.answer,
            "score": self.score,
        }


@dataclass(frozen=True)
class SearchResult:
    """`answered` is false when no entry is a confident match; hits are then suggestions."""

    answered: bool
    hits: list[Hit] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        """The contract's body: {answered, hits: [...]}."""
        return {"answered": self.answered, "hits": [hit.to_json() for hit in self.hits]}
