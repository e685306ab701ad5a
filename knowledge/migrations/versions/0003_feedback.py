"""Users' thumbs up or down on knowledge answers.

Revision ID: k0003
Revises: k0002
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "k0003"
down_revision = "k0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_feedback",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(64), nullable=False),
        sa.Column("message_id", sa.Integer, nullable=False),
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("helpful", sa.Boolean, nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("company_id", sa.Integer, nullable=True),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("conversation_id", "message_id", name="uq_knowledge_feedback_message"),
    )
    op.create_index("ix_knowledge_feedback_given_at", "knowledge_feedback", ["given_at"])
    op.create_index("ix_knowledge_feedback_company_id", "knowledge_feedback", ["company_id"])


def downgrade() -> None:
    op.drop_table("knowledge_feedback")
