"""The received invoice a conversation is about: the newest one read or recorded in it.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("last_received_invoice", sa.JSON, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE, not a batch: copying `conversations` on SQLite would drop the table
    # its messages and events refer to, and the cascade would delete them.
    op.drop_column("conversations", "last_received_invoice")
