"""The user a conversation belongs to.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("username", sa.String(64), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE, not a batch: copying `conversations` on SQLite would drop the table
    # its messages and events refer to, and the cascade would delete them.
    op.drop_column("conversations", "username")
