"""Conversations and their messages as the channels see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ConversationState(StrEnum):
    """Who holds a conversation: the bot, the queue, an agent, or nobody any more."""

    BOT = "bot"
    WAITING = "waiting"
    AGENT = "agent"
    CLOSED = "closed"


class Role(StrEnum):
    """Who wrote a message."""

    USER = "user"
    BOT = "bot"
    AGENT = "agent"
    SYSTEM = "system"


@dataclass(frozen=True)
class Conversation:
    """One conversation with one user on one channel."""

    id: str
    channel: str
    state: ConversationState
    created_at: datetime
    # The logged-in user the conversation belongs to; None while anonymous.
    username: str | None = None
    # The agent holding it (user name and display name), while in AGENT state.
    agent: str | None = None
    agent_name: str | None = None
    # Since when it waits in the queue, and why it was handed over.
    waiting_since: datetime | None = None
    handoff_reason: str | None = None
    # What it is about (a code of channels/handoff/topics.py), once known.
    handoff_topic: str | None = None
    # The received invoice read or recorded last in it ({kind, code, number,
    # received_invoice_id}): what "这张发票" means to the bot.
    last_received_invoice: dict[str, Any] | None = None


@dataclass(frozen=True)
class Reply:
    """What the bot or an agent says: text, optional quick-reply buttons and a card."""

    text: str
    buttons: list[dict[str, str]] = field(default_factory=list)
    card: dict[str, Any] | None = None
    # The bot asks for a human: {"reason", "last_message"} from its custom payload.
    handoff: dict[str, Any] | None = None
    # The bot found no confident answer (see channels/chat/rasa_client.py for the signal).
    unanswered: bool = False


@dataclass(frozen=True)
class Message:
    """A stored message of a conversation."""

    id: int
    conversation_id: str
    role: Role
    text: str
    buttons: list[dict[str, str]]
    card: dict[str, Any] | None
    created_at: datetime
    # The sender's own id (dedupes resends); the agent's display name on agent messages.
    client_id: str | None = None
    author: str | None = None
    # A tapped quick reply: the button's payload ("/affirm") goes to the bot, while `text`
    # keeps the button's title ("确认开具"), which is what the user saw and everyone shows.
    command: str | None = None

    @property
    def for_bot(self) -> str:
        """What the bot is sent for this message."""
        return self.command or self.text

    def to_json(self) -> dict[str, Any]:
        """The contract's message shape: {role, text, buttons?, card?}."""
        body: dict[str, Any] = {"role": self.role.value, "text": self.text}
        if self.buttons:
            body["buttons"] = self.buttons
        if self.card is not None:
            body["card"] = self.card
        return body

    def to_frame(self) -> dict[str, Any]:
        """The message as live clients see it: the contract's shape plus ids and time."""
        body = self.to_json()
        body.update(id=self.id, created_at=self.created_at.isoformat())
        if self.client_id is not None:
            body["client_id"] = self.client_id
        if self.author is not None:
            body["author"] = self.author
        return body
