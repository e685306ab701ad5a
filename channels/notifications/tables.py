"""The notification tables (migrated with the conversation store's history)."""

from sqlalchemy import JSON, Boolean, Column, Integer, String, Table, Text

from channels.conversations.tables import metadata
from invoicing_core import UtcDateTime

# One row per user who changed their settings; none: the defaults.
notification_settings = Table(
    "notification_settings",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("ways", JSON, nullable=False),  # {kind: [way, …]}
    Column("quiet_from", String(5), nullable=True),  # "22:00", Asia/Shanghai
    Column("quiet_to", String(5), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
)

# One row per event, recipient and way (`event_key` says which: made once).
notifications = Table(
    "notifications",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("event_key", String(200), nullable=False, unique=True),
    Column("username", String(64), nullable=False, index=True),
    Column("kind", String(16), nullable=False),
    Column("way", String(8), nullable=False),
    Column("title", String(100), nullable=False),
    Column("body", Text, nullable=False),
    Column("urgent", Boolean, nullable=False),
    # pending | held | sending | sent | failed
    Column("state", String(8), nullable=False, index=True),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime(), nullable=False),
    Column("last_error", Text, nullable=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("sent_at", UtcDateTime(), nullable=True),
    Column("read_at", UtcDateTime(), nullable=True),
)
