"""GET /alerts: a company's risk alerts (风险预警), for its admins."""

from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query
from pydantic import BaseModel

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.domain.alerts import Alert, AlertRule, Severity
from invoicing_core.services.alerts import AlertReport

router = APIRouter(prefix="/alerts", tags=["alerts"])


class AlertOut(BaseModel):
    """One alert: which rule, how serious, what happened, when, and to which targets."""

    rule: AlertRule
    severity: Severity
    message: str
    window_start: datetime
    window_end: datetime
    targets: list[str]

    @classmethod
    def of(cls, alert: Alert) -> "AlertOut":
        """From the domain."""
        return cls(
            rule=alert.rule,
            severity=alert.severity,
            message=alert.message,
            window_start=alert.window_start,
            window_end=alert.window_end,
            targets=list(alert.targets),
        )


class AlertReportOut(BaseModel):
    """The alerts of a period, newest first."""

    since: datetime
    until: datetime
    alerts: list[AlertOut]

    @classmethod
    def of(cls, report: AlertReport) -> "AlertReportOut":
        """From the service."""
        alerts = [AlertOut.of(alert) for alert in report.alerts]
        return cls(since=report.since, until=report.until, alerts=alerts)


@router.get("", response_model=AlertReportOut)
async def alerts(
    who: CurrentPrincipal,
    core: CoreDep,
    since: Annotated[
        datetime | None,
        Query(description="起始时间（ISO 8601，不带时区按北京时间），默认最近24小时，最多31天"),
    ] = None,
) -> AlertReportOut:
    """本企业的风险预警（仅限企业管理员）：频繁作废红冲、额度将尽、非工作时间开票、多次登录失败。"""
    report = await to_thread.run_sync(core.alerts.alerts, who, since)
    return AlertReportOut.of(report)
