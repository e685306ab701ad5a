"""monthly quota usage counters, filled from the invoices already issued

Revision ID: core0005
Revises: core0004
Create Date: 2026-11-27
"""

from collections import defaultdict
from datetime import timedelta, timezone
from decimal import Decimal

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0005"
down_revision = "core0004"
branch_labels = None
depends_on = None

# Fixed here rather than imported, so the migration keeps meaning what it meant.
_CHINA = timezone(timedelta(hours=8))
_invoices = sa.table(
    "invoices",
    sa.column("company_id", sa.Integer()),
    sa.column("issued_at", UtcDateTime()),
    sa.column("total_amount", sa.Numeric(18, 2)),
    sa.column("red_of", sa.String()),
    sa.column("status", sa.String()),
)


def upgrade() -> None:
    usage = op.create_table(
        "quota_usage",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("used", sa.Numeric(precision=18, scale=2), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("company_id", "month"),
    )
    # The blue, unvoided invoices count against their month's quota (tax-exclusive).
    rows = op.get_bind().execute(
        sa.select(_invoices.c.company_id, _invoices.c.issued_at, _invoices.c.total_amount).where(
            _invoices.c.red_of.is_(None), _invoices.c.status != "voided"
        )
    )
    totals: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for company_id, issued_at, amount in rows:
        totals[(company_id, issued_at.astimezone(_CHINA).strftime("%Y-%m"))] += Decimal(amount)
    if totals:
        op.bulk_insert(
            usage,
            [{"company_id": c, "month": m, "used": used} for (c, m), used in totals.items()],
        )


def downgrade() -> None:
    op.drop_table("quota_usage")
