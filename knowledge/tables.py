"""Tables of the knowledge base (migrated by knowledge/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()


def as_utc(value: datetime) -> datetime:
    """A timestamp read back from a table; SQLite hands back naive ones, stored in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# One row per question the knowledge base could not answer confidently.
unanswered_questions = Table(
    "knowledge_unanswered_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    # The normalised question, so the report groups 发漂/发票 and spacing variants.
    Column("normalized", String(500), nullable=False, index=True),
    Column("top_id", String(200), nullable=True),
    Column("top_score", Float, nullable=False),
    # False: no confident answer; true: answered, but with low confidence.
    Column("answered", Boolean, nullable=False),
    Column("channel", String(32), nullable=True),
    # The asker's company (null: a guest); a company's admin sees only its own.
    Column("company_id", Integer, nullable=True, index=True),
    # The conversation it was asked in, when the bot asked (a link for the editors).
    Column("conversation_id", String(64), nullable=True),
    Column("asked_at", DateTime(timezone=True), nullable=False, index=True),
)

# One row per answer a user rated (a second click on the same answer replaces the first).
feedback = Table(
    "knowledge_feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("conversation_id", String(64), nullable=False),
    Column("message_id", Integer, nullable=False),
    Column("entry_id", String(200), nullable=False),
    Column("question", Text, nullable=False),
    Column("helpful", Boolean, nullable=False),
    Column("channel", String(32), nullable=True),
    Column("company_id", Integer, nullable=True, index=True),
    Column("given_at", DateTime(timezone=True), nullable=False, index=True),
    UniqueConstraint("conversation_id", "message_id", name="uq_knowledge_feedback_message"),
)

# Entries edited in the console: each overrides the shipped YAML entry of the same id
# ("active"), hides it ("deleted"), or waits for an editor ("draft", not searched).
entries = Table(
    "knowledge_entries",
    metadata,
    Column("entry_id", String(200), primary_key=True),
    Column("data", JSON, nullable=True),
    Column("status", String(16), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
)

# Every change to an entry, so any earlier state can be restored.
entry_versions = Table(
    "knowledge_entry_versions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entry_id", String(200), nullable=False, index=True),
    Column("data", JSON, nullable=True),
    Column("status", String(16), nullable=False),
    Column("action", String(16), nullable=False),
    Column("author", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
