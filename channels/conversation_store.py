"""The conversation store: every message is written here before anything acts on it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, text, update

from channels.conversation import Conversation, ConversationState, Message, Reply, Role
from channels.conversation_tables import conversations, messages
from channels.errors import NotFound


class ConversationStore:
    """Conversations and messages in the app's database (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def ping(self) -> bool:
        """Whether the database answers."""
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def open(
        self, conversation_id: str | None, channel: str, username: str | None = None
    ) -> Conversation:
        """Return the named conversation, or start a new one when none is named.

        A user who logs in mid-conversation takes it over; a conversation that belongs
        to a user is not found for anybody else, so nobody acts in another's name.
        """
        if conversation_id is None:
            return self._create(channel, username)
        with self._engine.begin() as connection:
            row = connection.execute(
                select(conversations).where(conversations.c.id == conversation_id)
            ).first()
            if row is None or row.username not in (None, username):
                raise NotFound(
                    "conversation_not_found", "会话不存在，请开始新的会话。", "conversation_id"
                )
            if row.username is None and username is not None:
                connection.execute(
                    update(conversations)
                    .where(conversations.c.id == conversation_id)
                    .values(username=username)
                )
        return replace(_conversation(row), username=username or row.username)

    def username_of(self, conversation_id: str) -> str | None:
        """The user a conversation belongs to, or None (anonymous or unknown)."""
        with self._engine.connect() as connection:
            found: str | None = connection.execute(
                select(conversations.c.username).where(conversations.c.id == conversation_id)
            ).scalar()
        return found

    def _create(self, channel: str, username: str | None) -> Conversation:
        now = datetime.now(UTC)
        conversation = Conversation(
            str(uuid.uuid4()), channel, ConversationState.BOT, now, username
        )
        with self._engine.begin() as connection:
            connection.execute(
                insert(conversations).values(
                    id=conversation.id,
                    channel=channel,
                    state=conversation.state.value,
                    created_at=now,
                    updated_at=now,
                    username=username,
                )
            )
        return conversation

    def receive(self, conversation_id: str, text_: str) -> Message:
        """Store what the user sent, not yet delivered to the bot."""
        with self._engine.begin() as connection:
            return _insert(connection, conversation_id, Role.USER, Reply(text_), delivered=False)

    def answer(self, inbound: Message, replies: Sequence[Reply], role: Role) -> list[Message]:
        """Mark `inbound` delivered and store the replies to it, in one transaction."""
        with self._engine.begin() as connection:
            connection.execute(
                update(messages).where(messages.c.id == inbound.id).values(delivered=True)
            )
            stored = [
                _insert(connection, inbound.conversation_id, role, reply, delivered=True)
                for reply in replies
            ]
            connection.execute(
                update(conversations)
                .where(conversations.c.id == inbound.conversation_id)
                .values(updated_at=datetime.now(UTC))
            )
        return stored

    def history(self, conversation_id: str, limit: int = 50) -> list[Message]:
        """The newest `limit` messages of a conversation, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(messages)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.id.desc())
                .limit(limit)
            ).all()
        return [_message(row) for row in reversed(rows)]

    def undelivered(self, conversation_id: str) -> list[Message]:
        """User messages the bot has not received yet."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(messages)
                .where(messages.c.conversation_id == conversation_id)
                .where(messages.c.role == Role.USER.value)
                .where(messages.c.delivered.is_(False))
                .order_by(messages.c.id)
            ).all()
        return [_message(row) for row in rows]


def _insert(
    connection: Any, conversation_id: str, role: Role, reply: Reply, delivered: bool
) -> Message:
    now = datetime.now(UTC)
    payload = (
        {"buttons": reply.buttons, "card": reply.card} if reply.buttons or reply.card else None
    )
    message_id = connection.execute(
        insert(messages).values(
            conversation_id=conversation_id,
            role=role.value,
            text=reply.text,
            payload=payload,
            delivered=delivered,
            created_at=now,
        )
    ).inserted_primary_key[0]
    return Message(message_id, conversation_id, role, reply.text, reply.buttons, reply.card, now)


def _conversation(row: Row[Any]) -> Conversation:
    return Conversation(
        row.id, row.channel, ConversationState(row.state), row.created_at, row.username
    )


def _message(row: Row[Any]) -> Message:
    payload = row.payload or {}
    return Message(
        row.id,
        row.conversation_id,
        Role(row.role),
        row.text,
        payload.get("buttons") or [],
        payload.get("card"),
        row.created_at,
    )
