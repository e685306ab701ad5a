"""Tables of the handoff: conversation events, online agents, tickets and ratings."""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text

from channels.conversations.tables import metadata
from invoicing_core import UtcDateTime

# Every state change of a conversation, for the transcript and the audit of the queue.
conversation_events = Table(
    "conversation_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "conversation_id",
        String(36),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("kind", String(32), nullable=False),
    Column("actor", String(64), nullable=True),
    Column("detail", JSON, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
)

# Agents with an open console: one row each, kept fresh by a heartbeat, so every
# app worker sees who is online without sharing memory.
agents_online = Table(
    "agents_online",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("display_name", String(64), nullable=False),
    Column("last_seen", UtcDateTime(), nullable=True),
)

# The topics an agent is skilled in (channels/handoff/topics.py): one row per pair.
agent_skills = Table(
    "agent_skills",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("topic", String(16), primary_key=True),
)

# A message left while no agent could answer.
tickets = Table(
    "handoff_tickets",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(36), nullable=True, index=True),
    Column("username", String(64), nullable=True),
    Column("contact", String(100), nullable=False),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("closed_by", String(64), nullable=True),
    Column("closed_at", UtcDateTime(), nullable=True),
)

# The user's 1–5 rating of a conversation an agent closed.
ratings = Table(
    "conversation_ratings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(36), nullable=False, index=True),
    Column("agent", String(64), nullable=True),
    Column("score", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)
