"""Users' thumbs up or down on knowledge answers, kept per company for the curation loop."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, and_, delete, insert, select

from knowledge.tables import as_utc
from knowledge.tables import feedback as table


@dataclass(frozen=True)
class Feedback:
    """One rating: which answer (conversation, message, entry) to which question, and whether
    it helped; `company_id` is the asker's company (None for a guest)."""

    conversation_id: str
    message_id: int
    entry_id: str
    question: str
    helpful: bool
    channel: str | None = None
    company_id: int | None = None
    given_at: datetime | None = None


class FeedbackLog:
    """Stores ratings (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record(self, given: Feedback) -> None:
        """Keep `given`; a later rating of the same answer replaces the earlier one."""
        same = and_(
            table.c.conversation_id == given.conversation_id,
            table.c.message_id == given.message_id,
        )
        with self._engine.begin() as connection:
            connection.execute(delete(table).where(same))
            connection.execute(
                insert(table).values(
                    conversation_id=given.conversation_id,
                    message_id=given.message_id,
                    entry_id=given.entry_id,
                    question=given.question[:2000],
                    helpful=given.helpful,
                    channel=given.channel,
                    company_id=given.company_id,
                    given_at=datetime.now(UTC),
                )
            )

    def ratings(
        self, since: datetime | None = None, company_id: int | None = None
    ) -> list[Feedback]:
        """The ratings given since `since` (of one company's users, or everyone's), newest first."""
        query = select(table).order_by(table.c.given_at.desc(), table.c.id.desc())
        if since is not None:
            query = query.where(table.c.given_at >= since)
        if company_id is not None:
            query = query.where(table.c.company_id == company_id)
        with self._engine.connect() as connection:
            return [
                Feedback(
                    row.conversation_id,
                    row.message_id,
                    row.entry_id,
                    row.question,
                    row.helpful,
                    row.channel,
                    row.company_id,
                    as_utc(row.given_at),
                )
                for row in connection.execute(query)
            ]
