"""Questions the knowledge base could not answer.

Revision ID: k0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "k0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_unanswered_questions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("question", sa.Text, nullable=False),
        sa.Column("normalized", sa.String(500), nullable=False),
        sa.Column("top_id", sa.String(200), nullable=True),
        sa.Column("top_score", sa.Float, nullable=False),
        sa.Column("answered", sa.Boolean, nullable=False),
        sa.Column("channel", sa.String(32), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_knowledge_unanswered_questions_normalized",
        "knowledge_unanswered_questions",
        ["normalized"],
    )
    op.create_index(
        "ix_knowledge_unanswered_questions_asked_at",
        "knowledge_unanswered_questions",
        ["asked_at"],
    )


def downgrade() -> None:
    op.drop_table("knowledge_unanswered_questions")
