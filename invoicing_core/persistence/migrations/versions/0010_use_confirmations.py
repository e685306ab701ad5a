"""the buyer's 用途确认: one confirmation of use per invoice issued to a company

Revision ID: core0010
Revises: core0009
Create Date: 2026-12-08
"""

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0010"
down_revision = "core0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "use_confirmations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("invoice_number", sa.String(length=20), nullable=False),
        sa.Column("buyer_company_id", sa.Integer(), nullable=False),
        sa.Column("use", sa.String(length=10), nullable=False),
        sa.Column("confirmed_at", UtcDateTime(), nullable=False),
        sa.Column("confirmed_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["invoice_number"], ["invoices.number"]),
        sa.ForeignKeyConstraint(["buyer_company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("invoice_number", name="uq_use_confirmations_invoice"),
    )


def downgrade() -> None:
    op.drop_table("use_confirmations")
