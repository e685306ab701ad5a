"""Unanswered questions are kept per company (null: a guest's question) and name their
conversation when the bot asked.

Revision ID: k0002
Revises: k0001
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "k0002"
down_revision = "k0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("knowledge_unanswered_questions") as table:
        table.add_column(sa.Column("company_id", sa.Integer, nullable=True))
        table.add_column(sa.Column("conversation_id", sa.String(64), nullable=True))
        table.create_index("ix_knowledge_unanswered_questions_company_id", ["company_id"])


def downgrade() -> None:
    with op.batch_alter_table("knowledge_unanswered_questions") as table:
        table.drop_index("ix_knowledge_unanswered_questions_company_id")
        table.drop_column("conversation_id")
        table.drop_column("company_id")
