"""What a search returns: whether it found a confident answer, and the closest entries."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.entry import Entry


@dataclass(frozen=True)
class Hit:
    """An entry found for a question, with the confidence (0–1) that it answers it."""

    entry: Entry
    score: float

    @property
    def id(self) -> str:
        """The entry's id."""
        return self.entry.id

    @property
    def question(self) -> str:
        """The entry's canonical question."""
        return self.entry.question

    @property
    def answer(self) -> str:
        """The entry's answer."""
        return self.entry.answer

    def to_json(self) -> dict[str, object]:
        """{id, question, answer, score, sources, effective_date, checked, basis}."""
        entry = self.entry
        return {
            "id": entry.id,
            "question": entry.question,
            "answer": entry.answer,
            "score": self.score,
            "sources": [source.to_json() for source in entry.sources],
            "effective_date": entry.effective_date or None,
            "checked": entry.checked or None,
            "basis": entry.basis,
        }


@dataclass(frozen=True)
class SearchResult:
    """`answered` is false when no entry is a confident match; hits are then suggestions."""

    answered: bool
    hits: list[Hit] = field(default_factory=list)
    # Tax matters outside invoicing that the question names (企业所得税 …), when
    # not answered: the question is declined rather than met with suggestions.
    out_of_scope: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        """The contract's body: {answered, hits: [...], out_of_scope: [...]}."""
        return {
            "answered": self.answered,
            "hits": [hit.to_json() for hit in self.hits],
            "out_of_scope": list(self.out_of_scope),
        }
