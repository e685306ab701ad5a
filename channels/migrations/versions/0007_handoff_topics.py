"""Routing by topic: a handed-over conversation's topic, and each agent's skills.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("handoff_topic", sa.String(16), nullable=True))
    op.create_table(
        "agent_skills",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("topic", sa.String(16), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("agent_skills")
    # Plain ALTER TABLE, not a batch: copying `conversations` on SQLite would drop the table
    # its messages and events refer to, and the cascade would delete them.
    op.drop_column("conversations", "handoff_topic")
