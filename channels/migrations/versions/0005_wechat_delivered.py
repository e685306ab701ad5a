"""WeChat inbound turns: late answers already sent are "delivered", so only lost ones recover.

Before this revision a late answer stayed "late" after it was sent; from now on "late"
means "not sent yet", which the recovery of turns whose worker died relies on.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(sa.text("UPDATE wechat_inbound SET status = 'delivered' WHERE status = 'late'"))


def downgrade() -> None:
    op.execute(
        sa.text(
            "UPDATE wechat_inbound SET status = 'late' WHERE status IN ('delivered', 'recovering')"
        )
    )
