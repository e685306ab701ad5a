"""Tables of the conversation store (migrated by channels/migrations)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from invoicing_core import UtcDateTime

metadata = MetaData()


conversations = Table(
    "conversations",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("username", String(64), nullable=True),
    # Handoff: who holds the conversation, since when it waits, and why.
    Column("agent", String(64), nullable=True, index=True),
    Column("agent_name", String(64), nullable=True),
    Column("waiting_since", UtcDateTime(), nullable=True),
    Column("handoff_reason", String(32), nullable=True),
    # What it is about (channels/handoff/topics.py), for routing to an agent with the skill.
    Column("handoff_topic", String(16), nullable=True),
    # Bot turns in a row that found no answer; a streak hands the conversation over.
    Column("unanswered_streak", Integer, nullable=False, default=0),
    # The newest message the holding agent has seen (for unread counts).
    Column("agent_read_id", Integer, nullable=False, default=0),
    # The received invoice read or recorded last in the conversation, which "这张" means
    # ({kind, code, number, received_invoice_id}; see channels/conversations/received_invoice.py).
    Column("last_received_invoice", JSON, nullable=True),
)

messages = Table(
    "conversation_messages",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "conversation_id",
        String(36),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("role", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("payload", JSON, nullable=True),
    # A user message stays undelivered until the bot (or an agent) has it, so
    # nothing sent while Rasa was down is lost.
    Column("delivered", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    # The sender's own id for a message, so a resend after a reconnect is stored once.
    Column("client_id", String(64), nullable=True),
    # Who of the agents wrote an agent message (display name).
    Column("author", String(64), nullable=True),
    UniqueConstraint("conversation_id", "client_id", name="uq_conversation_messages_client_id"),
)
