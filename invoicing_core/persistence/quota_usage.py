"""Each company's use of its monthly quota, one counter row per month."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Connection, select, update
from sqlalchemy.dialects import postgresql, sqlite

from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.persistence.approval_repository import held
from invoicing_core.persistence.tables import quota_usage


def month_key(moment: datetime) -> str:
    """The China-time month holding `moment`, as "YYYY-MM"."""
    return moment.astimezone(CHINA_TZ).strftime("%Y-%m")


def used(connection: Connection, company_id: int, moment: datetime) -> Decimal:
    """What the company has used of the quota of the month holding `moment`, counting what
    its approval requests waiting at `moment` hold (a request ends, and its hold with it,
    when it is approved, rejected, cancelled or lapses)."""
    month = month_key(moment)
    value = connection.execute(
        select(quota_usage.c.used).where(
            quota_usage.c.company_id == company_id, quota_usage.c.month == month
        )
    ).scalar_one_or_none()
    return Decimal(value or 0) + held(connection, company_id, month, moment)


def add(connection: Connection, company_id: int, moment: datetime, amount: Decimal) -> None:
    """Add `amount` (negative to give back) to the usage of the month holding `moment`."""
    if amount == 0:
        return
    month = month_key(moment)
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(quota_usage)
        .values(company_id=company_id, month=month, used=0)
        .on_conflict_do_nothing(index_elements=["company_id", "month"])
    )
    connection.execute(
        update(quota_usage)
        .where(quota_usage.c.company_id == company_id, quota_usage.c.month == month)
        .values(used=quota_usage.c.used + amount)
    )
