"""The conversation store: every message is written here before anything acts on it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, Row, insert, select, text, update
from sqlalchemy.exc import IntegrityError

from channels.conversations.model import Conversation, ConversationState, Message, Reply, Role
from channels.conversations.received_invoice import invoice_of, newest_invoice_card
from channels.conversations.tables import conversations, messages
from channels.web.errors import NotFound

# A turn's replies (a bot answer with its notices) are a handful of messages.
REPLIES_AT_MOST = 20


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
        return replace(conversation_of(row), username=username or row.username)

    def get(self, conversation_id: str) -> Conversation | None:
        """The conversation with this id, whoever it belongs to (for the agent side)."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(conversations).where(conversations.c.id == conversation_id)
            ).first()
        return None if row is None else conversation_of(row)

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
            reply, command = _as_tapped(connection, conversation_id, text_)
            return _insert(connection, conversation_id, Role.USER, reply, False, command=command)

    def receive_once(
        self, conversation_id: str, text_: str, client_id: str
    ) -> tuple[Message, bool]:
        """Store what the user sent under the sender's id; (the stored one, False) on a resend."""
        try:
            with self._engine.begin() as connection:
                reply, command = _as_tapped(connection, conversation_id, text_)
                stored = _insert(
                    connection, conversation_id, Role.USER, reply, False, client_id, command=command
                )
                return stored, True
        except IntegrityError:
            with self._engine.connect() as connection:
                row = connection.execute(
                    select(messages)
                    .where(messages.c.conversation_id == conversation_id)
                    .where(messages.c.client_id == client_id)
                ).one()
            return message_of(row), False

    def was_delivered(self, message_id: int) -> bool:
        """Whether the bot (or the queue) has a user message already."""
        with self._engine.connect() as connection:
            return bool(
                connection.execute(
                    select(messages.c.delivered).where(messages.c.id == message_id)
                ).scalar()
            )

    def mark_delivered(self, message_id: int) -> None:
        """Record that a user message reached its reader (the queue or an agent)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(messages).where(messages.c.id == message_id).values(delivered=True)
            )

    def add(
        self, conversation_id: str, role: Role, replies: Sequence[Reply], author: str | None = None
    ) -> list[Message]:
        """Store messages the app, an agent or a notice adds to a conversation."""
        with self._engine.begin() as connection:
            stored = [
                _insert(connection, conversation_id, role, reply, True, author=author)
                for reply in replies
            ]
            connection.execute(
                update(conversations)
                .where(conversations.c.id == conversation_id)
                .values(updated_at=datetime.now(UTC))
            )
        return stored

    def answer(self, inbound: Message, replies: Sequence[Reply], role: Role) -> list[Message]:
        """Mark `inbound` delivered and store the replies to it, in one transaction; a
        recognised or recorded invoice among them becomes the one the conversation is about."""
        with self._engine.begin() as connection:
            connection.execute(
                update(messages).where(messages.c.id == inbound.id).values(delivered=True)
            )
            stored = [
                _insert(connection, inbound.conversation_id, role, reply, delivered=True)
                for reply in replies
            ]
            changes: dict[str, Any] = {"updated_at": datetime.now(UTC)}
            card = newest_invoice_card(replies)
            if card is not None:
                changes["last_received_invoice"] = invoice_of(card)
            connection.execute(
                update(conversations)
                .where(conversations.c.id == inbound.conversation_id)
                .values(**changes)
            )
        return stored

    def replies_to(self, inbound: Message) -> list[Message]:
        """What was said after a user message, up to the user's next one."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(messages)
                .where(messages.c.conversation_id == inbound.conversation_id)
                .where(messages.c.id > inbound.id)
                .order_by(messages.c.id)
                .limit(REPLIES_AT_MOST)
            ).all()
        replies = []
        for row in rows:
            if row.role == Role.USER.value:
                break
            replies.append(message_of(row))
        return replies

    def message(self, conversation_id: str, message_id: int) -> Message | None:
        """One message of a conversation, or None when it has no such message."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(messages).where(
                    messages.c.conversation_id == conversation_id, messages.c.id == message_id
                )
            ).first()
        return message_of(row) if row is not None else None

    def history(self, conversation_id: str, limit: int = 50) -> list[Message]:
        """The newest `limit` messages of a conversation, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(messages)
                .where(messages.c.conversation_id == conversation_id)
                .order_by(messages.c.id.desc())
                .limit(limit)
            ).all()
        return [message_of(row) for row in reversed(rows)]

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
        return [message_of(row) for row in rows]


def _insert(
    connection: Any,
    conversation_id: str,
    role: Role,
    reply: Reply,
    delivered: bool,
    client_id: str | None = None,
    author: str | None = None,
    command: str | None = None,
) -> Message:
    now = datetime.now(UTC)
    extras = {"buttons": reply.buttons, "card": reply.card, "command": command}
    payload = {key: value for key, value in extras.items() if value} or None
    message_id = connection.execute(
        insert(messages).values(
            conversation_id=conversation_id,
            role=role.value,
            text=reply.text,
            payload=payload,
            delivered=delivered,
            created_at=now,
            client_id=client_id,
            author=author,
        )
    ).inserted_primary_key[0]
    return Message(
        message_id,
        conversation_id,
        role,
        reply.text,
        reply.buttons,
        reply.card,
        now,
        client_id,
        author,
        command,
    )


# How far back a tapped quick reply's button is looked for: the bot's last few messages.
_OFFERED_WITHIN = 6


def _as_tapped(connection: Any, conversation_id: str, text_: str) -> tuple[Reply, str | None]:
    """A message that is the payload of a button the bot just offered is stored under the
    button's title, with the payload kept for the bot; any other text as it is."""
    if not text_.startswith("/"):
        return Reply(text_), None
    recent = connection.execute(
        select(messages.c.payload)
        .where(messages.c.conversation_id == conversation_id)
        .where(messages.c.role != Role.USER.value)
        .order_by(messages.c.id.desc())
        .limit(_OFFERED_WITHIN)
    )
    for (payload,) in recent:
        for button in (payload or {}).get("buttons") or []:
            if button.get("payload") == text_ and button.get("title"):
                return Reply(button["title"]), text_
    return Reply(text_), None


def conversation_of(row: Row[Any]) -> Conversation:
    """A conversation from its row."""
    return Conversation(
        row.id,
        row.channel,
        ConversationState(row.state),
        row.created_at,
        row.username,
        row.agent,
        row.agent_name,
        row.waiting_since,
        row.handoff_reason,
        row.handoff_topic,
        row.last_received_invoice,
    )


def message_of(row: Row[Any]) -> Message:
    """A stored message from its row."""
    payload = row.payload or {}
    return Message(
        row.id,
        row.conversation_id,
        Role(row.role),
        row.text,
        payload.get("buttons") or [],
        payload.get("card"),
        row.created_at,
        row.client_id,
        row.author,
        payload.get("command"),
    )
