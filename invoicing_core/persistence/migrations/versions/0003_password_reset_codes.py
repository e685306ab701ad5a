"""password reset codes

Revision ID: core0003
Revises: core0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

from invoicing_core.persistence.types import UtcDateTime

revision = "core0003"
down_revision = "core0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "password_reset_codes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", UtcDateTime(), nullable=False),
        sa.Column("expires_at", UtcDateTime(), nullable=False),
        sa.Column("failed_tries", sa.Integer(), nullable=False),
        sa.Column("used_at", UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("password_reset_codes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_password_reset_codes_user_created", ["user_id", "created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("password_reset_codes", schema=None) as batch_op:
        batch_op.drop_index("ix_password_reset_codes_user_created")

    op.drop_table("password_reset_codes")
