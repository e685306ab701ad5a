"""paper stock keeps the first number of each roll, to refuse overlapping rolls

Revision ID: core0006
Revises: core0005
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "core0006"
down_revision = "core0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("paper_stock", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_number", sa.Integer(), nullable=True))
    # Rolls recorded before kept no first number; what is left of them is what is known.
    op.execute("UPDATE paper_stock SET first_number = next_number")
    with op.batch_alter_table("paper_stock", schema=None) as batch_op:
        batch_op.alter_column("first_number", existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("paper_stock", schema=None) as batch_op:
        batch_op.drop_column("first_number")
