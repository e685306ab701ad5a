"""Tables of the WeChat and WeCom channels (migrated by channels/migrations, revision 0004)."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Integer, String, Table, Text, UniqueConstraint

from channels.conversations.tables import metadata
from invoicing_core import UtcDateTime

# One row per WeChat user (openid) or WeCom member (UserID) of an account.
wechat_users = Table(
    "wechat_users",
    metadata,
    Column("account", String(8), primary_key=True),  # "wechat" or "wecom"
    Column("openid", String(128), primary_key=True),
    Column("conversation_id", String(36), nullable=True, index=True),
    Column("username", String(64), nullable=True),
    Column("bound_at", UtcDateTime(), nullable=True),
    # The customer-service window (48 hours) runs from the user's last message.
    Column("last_inbound_at", UtcDateTime(), nullable=False),
    Column("subscribed", Boolean, nullable=False),
    Column("wrong_codes", Integer, nullable=False),
    Column("locked_until", UtcDateTime(), nullable=True),
)

# Every message WeChat pushed, stored first; the unique key drops WeChat's retries.
wechat_inbound = Table(
    "wechat_inbound",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(8), nullable=False),
    Column("msg_key", String(200), nullable=False),
    Column("openid", String(128), nullable=False),
    Column("msg_type", String(32), nullable=False),
    Column("content", Text, nullable=False),
    Column("received_at", UtcDateTime(), nullable=False),
    # pending → answered (passive reply) | late (customer-service message)
    Column("status", String(16), nullable=False),
    Column("reply", Text, nullable=True),
    UniqueConstraint("account", "msg_key", name="uq_wechat_inbound_msg_key"),
)

# Every customer-service message tried, with its outcome: nothing is dropped silently.
wechat_outbound = Table(
    "wechat_outbound",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("account", String(8), nullable=False),
    Column("openid", String(128), nullable=False),
    Column("conversation_id", String(36), nullable=True, index=True),
    Column("text", Text, nullable=False),
    Column("status", String(16), nullable=False),  # sent | undeliverable | failed
    Column("reason", String(64), nullable=True),
    Column("errcode", Integer, nullable=True),
    Column("attempts", Integer, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
)

# One-time codes that prove a WeChat user owns an account of the invoicing app.
wechat_binding_codes = Table(
    "wechat_binding_codes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    # The WeChat user who asked for it; None for a code shown in the web app.
    Column("account", String(8), nullable=True),
    Column("openid", String(128), nullable=True),
    Column("code_hash", String(64), nullable=False, index=True),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
)

# Access tokens of WeChat's API, shared by the app's workers.
wechat_access_tokens = Table(
    "wechat_access_tokens",
    metadata,
    Column("account", String(8), primary_key=True),
    Column("token", Text, nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
)
