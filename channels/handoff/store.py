"""Handoff state in the database: transitions as conditional updates, each with an event.

A transition names the states it leaves; when another worker got there first the
update changes no row and the transition reports False, so two agents never hold
one conversation. Assigning also counts what the agent holds under a per-agent lock,
so two workers cannot take an agent past the limit together.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, select, text, update

from channels.conversations.model import Conversation, ConversationState
from channels.conversations.store import conversation_of
from channels.conversations.tables import conversations, messages
from channels.handoff.tables import conversation_events

State = ConversationState


class Assignment(Enum):
    """How giving a conversation to an agent went."""

    DONE = "done"
    NOT_WAITING = "not_waiting"  # someone was quicker, or the user left the queue
    AGENT_FULL = "agent_full"  # the agent holds the limit already


@dataclass(frozen=True)
class HeldConversation:
    """A conversation an agent holds, with what they have not read yet."""

    conversation: Conversation
    unread: int
    last_text: str


@dataclass(frozen=True)
class ConversationEvent:
    """A stored state change of a conversation."""

    kind: str
    actor: str | None
    detail: dict[str, Any]
    created_at: datetime


class HandoffStore:
    """Queue, holders and events of conversations (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def to_waiting(self, conversation_id: str, reason: str, topic: str | None = None) -> bool:
        """Queue a conversation the bot holds; its waiting time starts now."""
        values = {
            "waiting_since": datetime.now(UTC),
            "handoff_reason": reason[:32],
            "handoff_topic": topic,
            "unanswered_streak": 0,
        }
        detail = {"topic": topic} if topic else None
        return self._move(
            conversation_id, (State.BOT,), State.WAITING, values, reason, None, detail
        )

    def choose_topic(self, conversation_id: str, topic: str) -> bool:
        """The waiting user says what their question is about."""
        chosen = {"handoff_topic": topic}
        waiting = (State.WAITING,)
        return self._move(
            conversation_id, waiting, State.WAITING, chosen, "topic", "user", {"topic": topic}
        )

    def assign(
        self, conversation_id: str, agent: str, agent_name: str, limit: int, by: str | None = None
    ) -> Assignment:
        """Give a waiting conversation to an agent holding fewer than `limit` (picked or not)."""
        # Unread: the user's request for a human and what followed, not the whole bot
        # conversation before it (read up to just before the request).
        values = {
            "agent": agent,
            "agent_name": agent_name,
            "agent_read_id": _before_request(conversation_id),
        }
        kind = "assigned" if by is None else "claimed"
        # SQLite: take the write lock before counting (the app's engine honours the option).
        with self._engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
            _lock_agent(connection, agent)
            held = connection.execute(
                select(func.count())
                .where(conversations.c.agent == agent)
                .where(conversations.c.state == State.AGENT.value)
            ).scalar_one()
            if held >= limit:
                return Assignment.AGENT_FULL
            moved = self._move(
                conversation_id,
                (State.WAITING,),
                State.AGENT,
                values,
                kind,
                by or agent,
                {"to": agent},
                within=connection,
            )
        return Assignment.DONE if moved else Assignment.NOT_WAITING

    def transfer(self, conversation_id: str, from_agent: str, to_agent: str, to_name: str) -> bool:
        """Hand a held conversation from one agent to another."""
        # The colleague handled everything so far: unread starts at the transfer.
        so_far = _newest_message_id(conversation_id)
        values = {"agent": to_agent, "agent_name": to_name, "agent_read_id": so_far}
        return self._move(
            conversation_id,
            (State.AGENT,),
            State.AGENT,
            values,
            "transferred",
            from_agent,
            {"to": to_agent},
            holder=from_agent,
        )

    def to_bot(self, conversation_id: str, actor: str | None, holder: str | None = None) -> bool:
        """Give a waiting or held conversation back to the bot."""
        return self._release(conversation_id, State.BOT, "handed_back", actor, holder)

    def close(self, conversation_id: str, actor: str, holder: str | None = None) -> bool:
        """End a waiting or held conversation."""
        return self._release(conversation_id, State.CLOSED, "closed", actor, holder)

    def _release(
        self, conversation_id: str, to: State, kind: str, actor: str | None, holder: str | None
    ) -> bool:
        leaving = (State.WAITING, State.AGENT)
        return self._move(conversation_id, leaving, to, _released(), kind, actor, holder=holder)

    def reopen(self, conversation_id: str) -> bool:
        """A closed conversation that the user writes in again is the bot's again."""
        return self._move(
            conversation_id, (State.CLOSED,), State.BOT, _released(), "reopened", None
        )

    def _move(
        self,
        conversation_id: str,
        leaving: Collection[State],
        to: State,
        values: dict[str, Any],
        kind: str,
        actor: str | None,
        detail: dict[str, Any] | None = None,
        holder: str | None = None,
        within: Connection | None = None,
    ) -> bool:
        """The transition, in its own transaction or `within` the caller's."""
        where = and_(
            conversations.c.id == conversation_id,
            conversations.c.state.in_([state.value for state in leaving]),
        )
        if holder is not None:
            where = and_(where, conversations.c.agent == holder)
        now = datetime.now(UTC)
        with nullcontext(within) if within is not None else self._engine.begin() as connection:
            moved = connection.execute(
                update(conversations).where(where).values(state=to.value, updated_at=now, **values)
            ).rowcount
            if moved:
                _record(connection, conversation_id, kind, actor, detail or {}, now)
        return bool(moved)

    def count_unanswered(self, conversation_id: str, unanswered: bool) -> int:
        """Extend (or end) the streak of bot turns without an answer; return its length."""
        column = conversations.c.unanswered_streak
        with self._engine.begin() as connection:
            connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(unanswered_streak=column + 1 if unanswered else 0)
            )
            streak: int = connection.execute(
                select(column).where(conversations.c.id == conversation_id)
            ).scalar_one()
        return streak

    def last_words(self, conversation_id: str) -> str:
        """The user's latest message in the conversation."""
        with self._engine.connect() as connection:
            return last_words(connection, conversation_id)

    def queue(self) -> list[Conversation]:
        """Waiting conversations, the longest-waiting first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(conversations)
                .where(conversations.c.state == State.WAITING.value)
                .order_by(conversations.c.waiting_since, conversations.c.id)
            ).all()
        return [conversation_of(row) for row in rows]

    def active_counts(self) -> dict[str, int]:
        """How many conversations each agent holds."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(conversations.c.agent, func.count())
                .where(conversations.c.state == State.AGENT.value)
                .group_by(conversations.c.agent)
            ).all()
        return {agent: count for agent, count in rows}

    def held_by(self, agent: str) -> list[HeldConversation]:
        """The agent's conversations with their unread counts, the latest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(conversations)
                .where(conversations.c.state == State.AGENT.value)
                .where(conversations.c.agent == agent)
                .order_by(conversations.c.updated_at.desc())
            ).all()
            return [_held(connection, row) for row in rows]

    def mark_read(self, conversation_id: str, agent: str) -> None:
        """The holding agent has read everything so far."""
        newest = (
            select(func.coalesce(func.max(messages.c.id), 0))
            .where(messages.c.conversation_id == conversation_id)
            .scalar_subquery()
        )
        with self._engine.begin() as connection:
            connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .where(conversations.c.agent == agent)
                .values(agent_read_id=newest)
            )

    def record_call(
        self, conversation_id: str, action: str, media: str, actor: str
    ) -> ConversationEvent | None:
        """Record a call's start (`accept`) or end (`decline`, `hangup`) as an event.

        `call_started`: its actor is who offered the call, its detail the media;
        `call_ended`: its actor is who hung up or declined, its detail the media and the
        seconds since the open call started (0 when declined). A hangup
        with no call open (an invitation withdrawn, the other side's hangup first)
        records nothing and returns None. Never the media itself."""
        now = datetime.now(UTC)
        with self._engine.execution_options(sqlite_begin="IMMEDIATE").begin() as connection:
            _lock_agent(connection, conversation_id)  # one end per call across workers
            last = connection.execute(
                select(conversation_events.c.kind, conversation_events.c.created_at)
                .where(conversation_events.c.conversation_id == conversation_id)
                .where(conversation_events.c.kind.in_(["call_started", "call_ended"]))
                .order_by(conversation_events.c.id.desc())
                .limit(1)
            ).first()
            started = last.created_at if last and last.kind == "call_started" else None
            detail: dict[str, Any]
            if action == "accept":
                kind, detail = "call_started", {"media": media}
            elif action == "decline":
                kind, detail = "call_ended", {"media": media, "declined": True, "duration": 0}
            elif started is not None:
                seconds = max(0, round((now - started).total_seconds()))
                kind, detail = "call_ended", {"media": media, "duration": seconds}
            else:
                return None
            _record(connection, conversation_id, kind, actor, detail, now)
        return ConversationEvent(kind, actor, detail, now)

    def events(self, conversation_id: str) -> list[ConversationEvent]:
        """The conversation's state changes, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(conversation_events)
                .where(conversation_events.c.conversation_id == conversation_id)
                .order_by(conversation_events.c.id)
            ).all()
        return [ConversationEvent(r.kind, r.actor, r.detail or {}, r.created_at) for r in rows]


def _newest_message_id(conversation_id: str) -> Any:
    """The id of the conversation's newest message, 0 if none."""
    newest = select(func.coalesce(func.max(messages.c.id), 0))
    return newest.where(messages.c.conversation_id == conversation_id).scalar_subquery()


def _before_request(conversation_id: str) -> Any:
    """Just below the user's last message before the conversation joined the queue."""
    request = (
        select(func.coalesce(func.max(messages.c.id), 1) - 1)
        .where(messages.c.conversation_id == conversation_id)
        .where(messages.c.role == "user")
        .where(messages.c.created_at < conversations.c.waiting_since)
    )
    return request.scalar_subquery()


def last_words(connection: Connection, conversation_id: str) -> str:
    """The user's latest message: what the console previews, not the system's notices."""
    text: str | None = connection.execute(
        select(messages.c.text)
        .where(messages.c.conversation_id == conversation_id)
        .where(messages.c.role == "user")
        .order_by(messages.c.id.desc())
        .limit(1)
    ).scalar()
    return text or ""


def _released() -> dict[str, Any]:
    return {
        "agent": None,
        "agent_name": None,
        "waiting_since": None,
        "handoff_topic": None,
        "unanswered_streak": 0,
    }


def _record(
    connection: Connection,
    conversation_id: str,
    kind: str,
    actor: str | None,
    detail: dict[str, Any],
    at: datetime,
) -> None:
    connection.execute(
        insert(conversation_events).values(
            conversation_id=conversation_id, kind=kind, actor=actor, detail=detail, created_at=at
        )
    )


def _lock_agent(connection: Connection, agent: str) -> None:
    """PostgreSQL: one assignment per agent at a time, until the transaction ends.

    (SQLite has one writer at a time anyway: the IMMEDIATE transaction waits for it.)
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(hashtext(:agent))"), {"agent": agent})


def _held(connection: Connection, row: Any) -> HeldConversation:
    unread = connection.execute(
        select(func.count())
        .where(messages.c.conversation_id == row.id)
        .where(messages.c.role == "user")
        .where(messages.c.id > row.agent_read_id)
    ).scalar_one()
    return HeldConversation(conversation_of(row), unread, last_words(connection, row.id))
