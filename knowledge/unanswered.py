"""The log of unanswered and low-confidence questions, and its report for the owners."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, func, insert, select

from knowledge.result import SearchResult
from knowledge.tables import as_utc
from knowledge.tables import unanswered_questions as table
from knowledge.text import TextAnalyzer

MAX_NORMALIZED = 500


@dataclass(frozen=True)
class Asker:
    """Who asked: their company (None for a guest) and the conversation, when the bot asked."""

    company_id: int | None = None
    conversation_id: str | None = None


@dataclass(frozen=True)
class Asked:
    """One logged question, as the curation loop reads it."""

    question: str
    closest_id: str | None
    closest_score: float
    answered: bool
    conversation_id: str | None
    asked_at: datetime


@dataclass(frozen=True)
class UnansweredQuestion:
    """A question asked `count` times without a confident answer, and the closest entry."""

    question: str
    count: int
    last_asked_at: datetime
    closest_id: str | None
    closest_score: float

    def to_json(self) -> dict[str, object]:
        """The report row as JSON."""
        return {
            "question": self.question,
            "count": self.count,
            "last_asked_at": self.last_asked_at.isoformat(),
            "closest_id": self.closest_id,
            "closest_score": self.closest_score,
        }


class UnansweredLog:
    """Records questions the knowledge base did not answer (synchronous; call off the loop)."""

    def __init__(
        self,
        engine: Engine,
        low_confidence: float = 0.7,
        analyzer: TextAnalyzer | None = None,
    ) -> None:
        self._engine = engine
        self._low_confidence = low_confidence
        self._analyzer = analyzer or TextAnalyzer()

    def record(
        self,
        question: str,
        result: SearchResult,
        channel: str | None = None,
        asker: Asker = Asker(),
    ) -> bool:
        """Store `question` unless `result` answered it confidently; whether it was stored."""
        top = result.hits[0] if result.hits else None
        confident = result.answered and top is not None and top.score >= self._low_confidence
        if confident or not question.strip():
            return False
        normalized = " ".join(self._analyzer.normalize(question).split())[:MAX_NORMALIZED]
        with self._engine.begin() as connection:
            connection.execute(
                insert(table).values(
                    question=question.strip(),
                    normalized=normalized,
                    top_id=top.id if top else None,
                    top_score=top.score if top else 0.0,
                    answered=result.answered,
                    channel=channel,
                    company_id=asker.company_id,
                    conversation_id=asker.conversation_id,
                    asked_at=datetime.now(UTC),
                )
            )
        return True

    def asked(self, since: datetime, company_id: int | None = None) -> list[Asked]:
        """Every question logged since `since` (of one company's users, or everyone's),
        newest first, at most 2,000."""
        query = select(table).where(table.c.asked_at >= since)
        if company_id is not None:
            query = query.where(table.c.company_id == company_id)
        query = query.order_by(table.c.asked_at.desc(), table.c.id.desc()).limit(2000)
        with self._engine.connect() as connection:
            return [
                Asked(
                    row.question,
                    row.top_id,
                    float(row.top_score),
                    bool(row.answered),
                    row.conversation_id,
                    as_utc(row.asked_at),
                )
                for row in connection.execute(query)
            ]

    def report(
        self, limit: int = 20, since: datetime | None = None, company_id: int | None = None
    ) -> list[UnansweredQuestion]:
        """The most frequent unanswered questions (same normalised text grouped), most first.

        With `company_id`, only the questions of that company's users; without,
        every question (the platform's view).
        """
        count = func.count().label("asked")
        last = func.max(table.c.asked_at).label("last")
        query = select(table.c.normalized, count, last).group_by(table.c.normalized)
        if since is not None:
            query = query.where(table.c.asked_at >= since)
        if company_id is not None:
            query = query.where(table.c.company_id == company_id)
        query = query.order_by(count.desc(), last.desc(), table.c.normalized).limit(limit)
        with self._engine.connect() as connection:
            groups = connection.execute(query).all()
            return [self._row(connection, g, company_id) for g in groups]

    def _row(
        self, connection: Connection, group: Row[Any], company_id: int | None
    ) -> UnansweredQuestion:
        newest = (
            select(table)
            .where(table.c.normalized == group.normalized)
            .order_by(table.c.asked_at.desc(), table.c.id.desc())
        )
        if company_id is not None:
            newest = newest.where(table.c.company_id == company_id)
        row = connection.execute(newest.limit(1)).one()
        return UnansweredQuestion(
            question=row.question,
            count=int(group.asked),
            last_asked_at=as_utc(group.last),
            closest_id=row.top_id,
            closest_score=float(row.top_score),
        )
