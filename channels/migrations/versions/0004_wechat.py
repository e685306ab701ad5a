"""WeChat and WeCom: users and bindings, inbound log, outbound log, binding codes, tokens.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _when(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "wechat_users",
        sa.Column("account", sa.String(8), primary_key=True),
        sa.Column("openid", sa.String(128), primary_key=True),
        sa.Column("conversation_id", sa.String(36), nullable=True, index=True),
        sa.Column("username", sa.String(64), nullable=True),
        _when("bound_at", nullable=True),
        _when("last_inbound_at"),
        sa.Column("subscribed", sa.Boolean, nullable=False),
        sa.Column("wrong_codes", sa.Integer, nullable=False),
        _when("locked_until", nullable=True),
    )
    op.create_table(
        "wechat_inbound",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(8), nullable=False),
        sa.Column("msg_key", sa.String(200), nullable=False),
        sa.Column("openid", sa.String(128), nullable=False),
        sa.Column("msg_type", sa.String(32), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        _when("received_at"),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reply", sa.Text, nullable=True),
        sa.UniqueConstraint("account", "msg_key", name="uq_wechat_inbound_msg_key"),
    )
    op.create_table(
        "wechat_outbound",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("account", sa.String(8), nullable=False),
        sa.Column("openid", sa.String(128), nullable=False),
        sa.Column("conversation_id", sa.String(36), nullable=True, index=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(64), nullable=True),
        sa.Column("errcode", sa.Integer, nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        _when("created_at"),
    )
    op.create_table(
        "wechat_binding_codes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("account", sa.String(8), nullable=True),
        sa.Column("openid", sa.String(128), nullable=True),
        sa.Column("code_hash", sa.String(64), nullable=False, index=True),
        _when("created_at"),
        _when("expires_at"),
        _when("used_at", nullable=True),
    )
    op.create_table(
        "wechat_access_tokens",
        sa.Column("account", sa.String(8), primary_key=True),
        sa.Column("token", sa.Text, nullable=False),
        _when("expires_at"),
    )


def downgrade() -> None:
    for table in (
        "wechat_access_tokens",
        "wechat_binding_codes",
        "wechat_outbound",
        "wechat_inbound",
        "wechat_users",
    ):
        op.drop_table(table)
