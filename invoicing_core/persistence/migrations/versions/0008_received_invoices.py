"""the received-invoice ledger (收票台账), its history, and recognitions awaiting recording

Revision ID: core0008
Revises: core0007
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0008"
down_revision = "core0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "received_invoices",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("invoice_date", sa.Date(), nullable=False),
        sa.Column("seller_name", sa.String(length=300), nullable=False),
        sa.Column("seller_tax_id", sa.String(length=20), nullable=False),
        sa.Column("buyer_name", sa.String(length=300), nullable=True),
        sa.Column("buyer_tax_id", sa.String(length=20), nullable=True),
        sa.Column("amount", sa.Numeric(18, 2), nullable=False),
        sa.Column("tax", sa.Numeric(18, 2), nullable=False),
        sa.Column("total_with_tax", sa.Numeric(18, 2), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("recognition", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_by_name", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("file_content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "company_id", "kind", "code", "number", name="uq_received_invoices_invoice"
        ),
    )
    op.create_index(
        "ix_received_invoices_company_date", "received_invoices", ["company_id", "invoice_date"]
    )
    op.create_table(
        "received_invoice_transitions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("received_invoice_id", sa.Integer(), nullable=False),
        sa.Column("from_state", sa.String(length=12), nullable=True),
        sa.Column("to_state", sa.String(length=12), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("by_name", sa.String(length=64), nullable=False),
        sa.Column("note", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["received_invoice_id"], ["received_invoices.id"], ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "ix_received_invoice_transitions_received_invoice_id",
        "received_invoice_transitions",
        ["received_invoice_id"],
    )
    op.create_table(
        "pending_recognitions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("file_content", sa.LargeBinary(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pending_recognitions_username", "pending_recognitions", ["username"])
    op.create_index("ix_pending_recognitions_expires_at", "pending_recognitions", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_pending_recognitions_expires_at", table_name="pending_recognitions")
    op.drop_index("ix_pending_recognitions_username", table_name="pending_recognitions")
    op.drop_table("pending_recognitions")
    op.drop_index(
        "ix_received_invoice_transitions_received_invoice_id",
        table_name="received_invoice_transitions",
    )
    op.drop_table("received_invoice_transitions")
    op.drop_index("ix_received_invoices_company_date", table_name="received_invoices")
    op.drop_table("received_invoices")
