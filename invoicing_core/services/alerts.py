"""Risk alerts (风险预警) of a company, from its audit log and this month's quota usage."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine

from invoicing_core.domain.alerts import (
    LONGEST_WINDOW,
    WATCHED_ACTIONS,
    Alert,
    PaperStock,
    QuotaUsage,
    evaluate_alerts,
)
from invoicing_core.domain.dates import check_date
from invoicing_core.domain.errors import InvalidInput
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.persistence import company_repository, quota_usage
from invoicing_core.persistence.audit import facts_since
from invoicing_core.persistence.numbers import paper_left
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now
from invoicing_core.services.reports import Period

DEFAULT_LOOKBACK = timedelta(hours=24)
# Bounds the audit rows read per request.
MAX_LOOKBACK = timedelta(days=31)


@dataclass(frozen=True)
class AlertReport:
    """The alerts whose window reaches into [since, until]."""

    since: datetime
    until: datetime
    alerts: list[Alert]


class AlertService:
    """Risk alerts for a company's admins."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def alerts(self, who: Principal, since: datetime | None = None) -> AlertReport:
        """The company's alerts since `since` (default: the last 24 hours)."""
        company_id = who.company_as_admin("查看风险预警")
        now = self._clock()
        since = _checked_since(since, now)
        with self._engine.connect() as connection:
            # Read a window further back so that a burst running into `since` is seen whole.
            facts = facts_since(connection, company_id, since - LONGEST_WINDOW, WATCHED_ACTIONS)
            quota = _quota_usage(connection, company_id, now)
            paper = PaperStock(paper_left(connection, company_id), now)
        found = [
            alert for alert in evaluate_alerts(facts, quota, paper) if alert.window_end >= since
        ]
        return AlertReport(since, now, found)


def _checked_since(since: datetime | None, now: datetime) -> datetime:
    if since is None:
        return now - DEFAULT_LOOKBACK
    check_date(since.date(), "since")
    if since.tzinfo is None:
        # A time without a zone is read as China time, as the users enter it.
        since = since.replace(tzinfo=CHINA_TZ)
    if since < now - MAX_LOOKBACK:
        days = MAX_LOOKBACK.days
        raise InvalidInput(f"最多可查询最近{days}天的风险预警，请调整起始时间。", field="since")
    return since


def _quota_usage(connection: Connection, company_id: int, now: datetime) -> QuotaUsage:
    start, _end = Period.MONTH.bounds(now.astimezone(CHINA_TZ).date())
    limit = company_repository.get(connection, company_id).monthly_quota
    used = quota_usage.used(connection, company_id, now)
    return QuotaUsage(limit, used, start, now)
