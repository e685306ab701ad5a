"""red-letter confirmation forms

Revision ID: core0004
Revises: core0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0004"
down_revision = "core0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "red_letter_forms",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("blue_number", sa.String(length=20), nullable=False),
        sa.Column("seller_company_id", sa.Integer(), nullable=False),
        sa.Column("buyer_tax_id", sa.String(length=20), nullable=True),
        sa.Column("initiator", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=2), nullable=False),
        sa.Column("parts", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=2), nullable=False),
        sa.Column("entered_at", UtcDateTime(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("answered_at", UtcDateTime(), nullable=True),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("red_number", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["seller_company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("red_letter_forms", schema=None) as batch_op:
        batch_op.create_index("ix_red_letter_forms_blue_number", ["blue_number"])
        batch_op.create_index("ix_red_letter_forms_buyer_tax_id", ["buyer_tax_id"])


def downgrade() -> None:
    with op.batch_alter_table("red_letter_forms", schema=None) as batch_op:
        batch_op.drop_index("ix_red_letter_forms_buyer_tax_id")
        batch_op.drop_index("ix_red_letter_forms_blue_number")
    op.drop_table("red_letter_forms")
