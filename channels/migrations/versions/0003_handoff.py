"""Handoff: holder and queue columns, client ids, events, online agents, tickets, ratings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("agent", sa.String(64), nullable=True))
        batch.add_column(sa.Column("agent_name", sa.String(64), nullable=True))
        batch.add_column(sa.Column("waiting_since", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("handoff_reason", sa.String(32), nullable=True))
        batch.add_column(
            sa.Column("unanswered_streak", sa.Integer, nullable=False, server_default="0")
        )
        batch.add_column(sa.Column("agent_read_id", sa.Integer, nullable=False, server_default="0"))
        batch.create_index("ix_conversations_agent", ["agent"])
    with op.batch_alter_table("conversation_messages") as batch:
        batch.add_column(sa.Column("client_id", sa.String(64), nullable=True))
        batch.add_column(sa.Column("author", sa.String(64), nullable=True))
        batch.create_unique_constraint(
            "uq_conversation_messages_client_id", ["conversation_id", "client_id"]
        )
    _create_handoff_tables()


def _create_handoff_tables() -> None:
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id",
            sa.String(36),
            sa.ForeignKey("conversations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(64), nullable=True),
        sa.Column("detail", sa.JSON, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_conversation_events_conversation_id", "conversation_events", ["conversation_id"]
    )
    op.create_table(
        "agents_online",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "handoff_tickets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(36), nullable=True),
        sa.Column("username", sa.String(64), nullable=True),
        sa.Column("contact", sa.String(100), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_handoff_tickets_conversation_id", "handoff_tickets", ["conversation_id"])
    op.create_table(
        "conversation_ratings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(36), nullable=False),
        sa.Column("agent", sa.String(64), nullable=True),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_conversation_ratings_conversation_id", "conversation_ratings", ["conversation_id"]
    )


def downgrade() -> None:
    for table in (
        "conversation_ratings",
        "handoff_tickets",
        "agents_online",
        "conversation_events",
    ):
        op.drop_table(table)
    with op.batch_alter_table("conversation_messages") as batch:
        batch.drop_constraint("uq_conversation_messages_client_id", type_="unique")
        batch.drop_column("author")
        batch.drop_column("client_id")
    # Plain ALTER TABLE, not a batch: copying `conversations` on SQLite would drop the table
    # its messages and events refer to, and the cascade would delete them.
    op.drop_index("ix_conversations_agent", table_name="conversations")
    for column in (
        "agent_read_id",
        "unanswered_streak",
        "handoff_reason",
        "waiting_since",
        "agent_name",
        "agent",
    ):
        op.drop_column("conversations", column)
