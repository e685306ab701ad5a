"""Entries edited in the console, and every version of them.

Revision ID: k0004
Revises: k0003
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "k0004"
down_revision = "k0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "knowledge_entries",
        sa.Column("entry_id", sa.String(200), primary_key=True),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "knowledge_entry_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entry_id", sa.String(200), nullable=False),
        sa.Column("data", sa.JSON, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_knowledge_entry_versions_entry_id", "knowledge_entry_versions", ["entry_id"]
    )


def downgrade() -> None:
    op.drop_table("knowledge_entry_versions")
    op.drop_table("knowledge_entries")
