"""The notice tables (migrated with the conversation store's history, revision 0009)."""

from sqlalchemy import Boolean, Column, ForeignKey, Integer, String, Table, Text

from channels.conversations.tables import metadata
from invoicing_core import UtcDateTime

# One row per scheduled notice; a withdrawn one is kept, marked.
notices = Table(
    "notices",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("text", Text, nullable=False),
    Column("starts_at", UtcDateTime(), nullable=False, index=True),
    Column("ends_at", UtcDateTime(), nullable=False, index=True),
    # A maintenance window: the bot answers nothing and keeps every message for its end.
    Column("maintenance", Boolean, nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("withdrawn_at", UtcDateTime(), nullable=True),
    Column("withdrawn_by", String(64), nullable=True),
)

# A user message kept during a maintenance window, until its turn runs after the window.
# A worker claims a conversation's kept messages (claimed_by, claimed_at) and answers them
# in order; a claim older than a few minutes belonged to a worker that died.
notice_kept_messages = Table(
    "notice_kept_messages",
    metadata,
    Column(
        "message_id",
        Integer,
        ForeignKey("conversation_messages.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("conversation_id", String(36), nullable=False, index=True),
    Column("notice_id", Integer, ForeignKey("notices.id"), nullable=False),
    Column("kept_at", UtcDateTime(), nullable=False),
    Column("claimed_by", String(64), nullable=True),
    Column("claimed_at", UtcDateTime(), nullable=True),
    Column("answered_at", UtcDateTime(), nullable=True, index=True),
)

# Who has been shown a notice on a channel that shows it once (WeChat: "wechat:<openid>").
notice_shown = Table(
    "notice_shown",
    metadata,
    Column("notice_id", Integer, ForeignKey("notices.id"), primary_key=True),
    Column("recipient", String(200), primary_key=True),
    Column("shown_at", UtcDateTime(), nullable=False),
)
