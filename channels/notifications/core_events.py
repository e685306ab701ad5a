"""The invoicing core's events that notify: risk alerts, red-letter forms awaiting an answer
and approval requests awaiting an approver.

channels/ may not import the core, so what these sources read of it is the small
`InvoicingFacts` protocol; the composition root (channels/app.py) answers it from the
core's public services. What is said, to whom, and what is urgent is decided here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from channels.notifications.outbox import Event
from channels.notifications.watcher import EventSource

SHANGHAI = ZoneInfo("Asia/Shanghai")
# A form this close to lapsing is urgent: quiet hours do not hold it.
URGENT_BEFORE_LAPSE = timedelta(hours=24)
TITLE = "红字确认单待确认"


@dataclass(frozen=True)
class RiskAlert:
    """One current risk alert of a company."""

    rule: str
    window_start: datetime
    high: bool
    message: str


@dataclass(frozen=True)
class AwaitingForm:
    """A red-letter confirmation form waiting for a company's answer."""

    id: int
    blue_number: str
    deadline: datetime
    now: datetime


@dataclass(frozen=True)
class AwaitingApproval:
    """An approval request waiting for one approver's decision at its current level."""

    id: int
    level: int
    action: str  # 开具发票, 作废发票, 开具红字发票
    requested_by: str
    deadline: datetime
    now: datetime


class InvoicingFacts(Protocol):
    """What the notification sources read of the invoicing core."""

    def clerks_by_company(self, roles: Sequence[str]) -> Mapping[int, Sequence[str]]:
        """Each company's user names in one of `roles` ("admin", "issuer")."""
        ...

    def risk_alerts(self, admin: str) -> Sequence[RiskAlert]:
        """The current risk alerts of the company `admin` administers."""
        ...

    def forms_awaiting(self, clerk: str) -> Sequence[AwaitingForm]:
        """The forms awaiting the answer of `clerk`'s company."""
        ...

    def approvals_awaiting(self) -> Mapping[str, Sequence[AwaitingApproval]]:
        """Each approver's requests waiting for their decision now."""
        ...


def risk_alert_events(facts: InvoicingFacts) -> EventSource:
    """Each company's current risk alerts, for its admins; severity high is urgent."""

    def events() -> list[Event]:
        found = []
        for company, admins in facts.clerks_by_company(["admin"]).items():
            for alert in facts.risk_alerts(admins[0]):
                key = f"alert:{company}:{alert.rule}:{alert.window_start.isoformat()}"
                title = "风险预警（高）" if alert.high else "风险预警"
                found += [
                    Event(key, admin, "risk_alert", title, alert.message, alert.high)
                    for admin in admins
                ]
        return found

    return events


def red_letter_form_events(facts: InvoicingFacts) -> EventSource:
    """Forms awaiting the company's answer, for its issuers and admins; urgent in the
    last 24 hours before they lapse."""

    def events() -> list[Event]:
        found = []
        for clerks in facts.clerks_by_company(["admin", "issuer"]).values():
            for form in facts.forms_awaiting(clerks[0]):
                urgent = form.deadline - form.now <= URGENT_BEFORE_LAPSE
                deadline = _local(form.deadline)
                body = f"发票{form.blue_number}的红字确认单待贵司确认，请在{deadline}前处理。"
                found += [
                    Event(
                        f"form:{form.id}",
                        clerk,
                        "red_letter_form",
                        "红字确认单待确认",
                        body,
                        urgent,
                    )
                    for clerk in clerks
                ]
        return found

    return events


def approval_events(facts: InvoicingFacts) -> EventSource:
    """Requests waiting for an approver, once per request and level; urgent in the last
    24 hours before they lapse."""

    def events() -> list[Event]:
        return [
            Event(
                f"approval:{request.id}:{request.level}",
                approver,
                "approval",
                "审批待处理",
                f"{request.requested_by} 提交的{request.action}申请（审批单 {request.id}）"
                f"待您审批，请在{_local(request.deadline)}前处理，逾期自动失效。",
                request.deadline - request.now <= URGENT_BEFORE_LAPSE,
            )
            for approver, waiting in facts.approvals_awaiting().items()
            for request in waiting
        ]

    return events


def core_event_sources(facts: InvoicingFacts) -> list[EventSource]:
    """Every source of the core's events."""
    return [risk_alert_events(facts), red_letter_form_events(facts), approval_events(facts)]


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
