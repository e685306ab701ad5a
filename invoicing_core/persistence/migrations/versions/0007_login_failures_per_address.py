"""wrong passwords counted per client address; password reset codes keep who asked

Revision ID: core0007
Revises: core0006
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0007"
down_revision = "core0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id", "address"),
    )
    # Plain ALTER TABLE, not a batch: copying `users` on SQLite would drop the table its
    # tokens and codes refer to, and the cascade would delete them.
    op.add_column("users", sa.Column("failed_logins_since", UtcDateTime(), nullable=True))
    # The run of wrong passwords so far becomes a count without a window: start afresh.
    # A lock-out still running stays, now one for every address.
    op.execute("UPDATE users SET failed_logins = 0")
    op.add_column("password_reset_codes", sa.Column("address", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_password_reset_codes_address_created",
        "password_reset_codes",
        ["address", "created_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_password_reset_codes_address_created", table_name="password_reset_codes")
    op.drop_column("password_reset_codes", "address")
    op.drop_column("users", "failed_logins_since")
    op.drop_table("login_failures")
