"""Tickets: messages users leave when no agent can answer, and the ratings of closed chats."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, func, insert, select, update

from channels.handoff.tables import ratings, tickets

OPEN = "open"
DONE = "done"


@dataclass(frozen=True)
class Ticket:
    """A message left for the agents."""

    id: int
    conversation_id: str | None
    username: str | None
    contact: str
    text: str
    status: str
    created_at: datetime
    closed_by: str | None


class TicketStore:
    """Tickets and ratings in the database (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open_ticket(
        self, conversation_id: str | None, username: str | None, contact: str, text: str
    ) -> Ticket:
        """Store a left message as an open ticket."""
        now = datetime.now(UTC)
        values = {
            "conversation_id": conversation_id,
            "username": username,
            "contact": contact,
            "text": text,
            "status": OPEN,
            "created_at": now,
        }
        with self._engine.begin() as connection:
            ticket_id = connection.execute(insert(tickets).values(**values)).inserted_primary_key[0]
        return Ticket(ticket_id, conversation_id, username, contact, text, OPEN, now, None)

    def find(
        self, status: str | None = OPEN, limit: int = 100, offset: int = 0
    ) -> tuple[list[Ticket], int]:
        """A page of tickets, the oldest first, and how many there are in all."""
        query = select(tickets).order_by(tickets.c.id).limit(limit).offset(offset)
        total = select(func.count()).select_from(tickets)
        if status is not None:
            query = query.where(tickets.c.status == status)
            total = total.where(tickets.c.status == status)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
            count = int(connection.execute(total).scalar_one())
        return [
            Ticket(
                r.id,
                r.conversation_id,
                r.username,
                r.contact,
                r.text,
                r.status,
                r.created_at,
                r.closed_by,
            )
            for r in rows
        ], count

    def close_ticket(self, ticket_id: int, agent: str) -> bool:
        """Mark an open ticket done; False when there is no such open ticket."""
        with self._engine.begin() as connection:
            return bool(
                connection.execute(
                    update(tickets)
                    .where(tickets.c.id == ticket_id)
                    .where(tickets.c.status == OPEN)
                    .values(status=DONE, closed_by=agent, closed_at=datetime.now(UTC))
                ).rowcount
            )

    def rate(self, conversation_id: str, agent: str | None, score: int) -> None:
        """Store the user's 1–5 rating of a conversation."""
        with self._engine.begin() as connection:
            connection.execute(
                insert(ratings).values(
                    conversation_id=conversation_id,
                    agent=agent,
                    score=score,
                    created_at=datetime.now(UTC),
                )
            )

    def ratings_of(self, conversation_id: str) -> list[int]:
        """The scores given to a conversation, oldest first."""
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    select(ratings.c.score)
                    .where(ratings.c.conversation_id == conversation_id)
                    .order_by(ratings.c.id)
                ).scalars()
            )
