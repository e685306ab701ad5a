"""A knowledge-base entry: one question, its other phrasings, one answer and its basis."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where an answer's rule comes from: a document, optionally its article and address."""

    name: str
    article: str = ""
    url: str = ""

    @property
    def label(self) -> str:
        """The document and article as a reader cites them."""
        return f"{self.name} {self.article}".strip()

    def to_json(self) -> dict[str, str]:
        """The contract's {title, document, url?}: the document, its article cited, its address."""
        cited = {"title": self.name, "document": self.label}
        return {**cited, "url": self.url} if self.url else cited

    def to_record(self) -> dict[str, str]:
        """{name, article, url} as the index stores it."""
        return {"name": self.name, "article": self.article, "url": self.url}

    @classmethod
    def from_record(cls, record: Mapping[str, object]) -> Source:
        """The source `to_record` wrote."""
        return cls(str(record["name"]), str(record.get("article", "")), str(record.get("url", "")))


@dataclass(frozen=True)
class Entry:
    """An answer and the questions it answers; `origin` says where it was read.

    `effective_date` is when the rule the answer states took effect and
    `checked` when the answer was last checked against its sources (ISO dates).
    """

    id: str
    question: str
    answer: str
    questions: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    effective_date: str = ""
    checked: str = ""
    origin: str = field(default="", compare=False)

    @property
    def phrasings(self) -> tuple[str, ...]:
        """The canonical question first, then every other phrasing, without repeats."""
        return tuple(dict.fromkeys((self.question, *self.questions)))

    @property
    def basis(self) -> str:
        """The line shown under an answer: "依据：…；更新于2026-11" (empty if nothing is known)."""
        labels = "、".join(source.label for source in self.sources)
        parts = [f"依据：{labels}"] if labels else []
        if self.checked:
            parts.append(f"更新于{self.checked[:7]}")
        return "；".join(parts)

    def canonical(self) -> dict[str, object]:
        """What identifies the entry's content (its origin aside), for hashing and the index."""
        return {
            "id": self.id,
            "question": self.question,
            "questions": list(self.questions),
            "answer": self.answer,
            "tags": list(self.tags),
            "sources": [source.to_record() for source in self.sources],
            "effective_date": self.effective_date,
            "checked": self.checked,
        }

    @classmethod
    def from_canonical(cls, record: Mapping[str, object], origin: str = "") -> Entry:
        """The entry `canonical` describes (as the index stores it)."""

        def strings(name: str) -> tuple[str, ...]:
            value = record.get(name) or []
            return tuple(str(item) for item in value) if isinstance(value, list) else ()

        sources = record.get("sources") or []
        return cls(
            id=str(record["id"]),
            question=str(record["question"]),
            answer=str(record["answer"]),
            questions=strings("questions"),
            tags=strings("tags"),
            sources=tuple(Source.from_record(s) for s in sources if isinstance(s, Mapping))
            if isinstance(sources, list)
            else (),
            effective_date=str(record.get("effective_date", "")),
            checked=str(record.get("checked", "")),
            origin=origin,
        )
