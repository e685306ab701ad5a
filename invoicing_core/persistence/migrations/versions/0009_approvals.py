"""remote approval: each company's approval rules and the requests awaiting approval

Revision ID: core0009
Revises: core0008
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0009"
down_revision = "core0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "approval_rules",
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("company_id"),
    )
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("requested_at", UtcDateTime(), nullable=False),
        sa.Column("deadline", UtcDateTime(), nullable=False),
        sa.Column("levels", sa.JSON(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("quota_hold", sa.Numeric(18, 2), nullable=False),
        sa.Column("hold_month", sa.String(length=7), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("ended_at", UtcDateTime(), nullable=True),
        sa.Column("result", sa.String(length=20), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(["company_id"], ["companies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("company_id", "idempotency_key", name="uq_approval_requests_key"),
    )
    op.create_index(
        "ix_approval_requests_company_state", "approval_requests", ["company_id", "state"]
    )


def downgrade() -> None:
    op.drop_index("ix_approval_requests_company_state", table_name="approval_requests")
    op.drop_table("approval_requests")
    op.drop_table("approval_rules")
