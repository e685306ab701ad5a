"""Risk alerts (风险预警): rules over audit facts that point an admin at unusual activity.

Every rule is a pure function of the facts (and, for the quota, the month's usage);
the thresholds they use are the named constants right below.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.money import format_money

# Voids and red-letter invoices: this many within the window is unusual.
CORRECTIONS_THRESHOLD = 5
CORRECTIONS_WINDOW = timedelta(hours=1)
# Share of the monthly quota used from which every further issue is flagged.
QUOTA_WARNING_SHARE = Decimal("0.9")
# Business hours in China time, [start, end): issuing outside them is flagged.
BUSINESS_HOURS_START = time(8)
BUSINESS_HOURS_END = time(20)
# Wrong passwords for one account: this many within the window looks like guessing.
FAILED_LOGINS_THRESHOLD = 3
FAILED_LOGINS_WINDOW = timedelta(minutes=15)

# Paper invoices of a kind left in stock: at or below this, ask for more in time.
PAPER_STOCK_WARNING = 10

# How far before the period asked for facts are needed to see a burst that ends in it.
LONGEST_WINDOW = max(CORRECTIONS_WINDOW, FAILED_LOGINS_WINDOW)
# The audit actions the rules look at.
WATCHED_ACTIONS = (
    actions.INVOICE_ISSUE,
    actions.INVOICE_VOID,
    actions.INVOICE_RED_LETTER,
    actions.LOGIN_FAILED,
    actions.LOCKED,
)


class Severity(Enum):
    """How urgently an admin should look."""

    WARNING = "warning"
    HIGH = "high"


class AlertRule(Enum):
    """Which rule raised an alert; the value is the API's rule id."""

    FREQUENT_CORRECTIONS = "frequent_corrections"
    QUOTA_NEARLY_USED = "quota_nearly_used"
    OFF_HOURS_ISSUING = "off_hours_issuing"
    REPEATED_FAILED_LOGINS = "repeated_failed_logins"
    ACCOUNT_LOCKED = "account_locked"
    PAPER_STOCK_LOW = "paper_stock_low"


@dataclass(frozen=True)
class AuditFact:
    """What the rules need of one audit entry."""

    action: str
    actor: str
    target: str
    at: datetime


@dataclass(frozen=True)
class QuotaUsage:
    """How much of this month's quota is used, as of a moment."""

    limit: Decimal
    used: Decimal
    month_start: datetime
    as_of: datetime


@dataclass(frozen=True)
class PaperStock:
    """Paper invoices left of each kind the company keeps in stock, as of a moment."""

    left: Mapping[InvoiceKind, int]
    as_of: datetime


@dataclass(frozen=True)
class Alert:
    """One finding: the rule, how serious, what to tell the admin, when, and about what."""

    rule: AlertRule
    severity: Severity
    message: str
    window_start: datetime
    window_end: datetime
    targets: tuple[str, ...]


def evaluate_alerts(
    facts: Iterable[AuditFact],
    quota: QuotaUsage | None = None,
    paper: PaperStock | None = None,
) -> list[Alert]:
    """Every alert the facts, the quota usage and the paper stock raise, newest first."""
    ordered = sorted(facts, key=lambda fact: fact.at)
    found = [
        *frequent_corrections(ordered),
        *quota_nearly_used(quota, ordered),
        *paper_stock_low(paper),
        *off_hours_issuing(ordered),
        *repeated_failed_logins(ordered),
        *account_locks(ordered),
    ]
    return sorted(found, key=lambda alert: alert.window_end, reverse=True)


def frequent_corrections(facts: Sequence[AuditFact]) -> list[Alert]:
    """Voids and red-letters piling up: CORRECTIONS_THRESHOLD or more in CORRECTIONS_WINDOW."""
    corrections = [
        f for f in facts if f.action in (actions.INVOICE_VOID, actions.INVOICE_RED_LETTER)
    ]
    return [
        _alert(
            AlertRule.FREQUENT_CORRECTIONS,
            Severity.HIGH,
            f"{_span(burst)}作废或红冲发票{len(burst)}次（预警阈值：{_duration(CORRECTIONS_WINDOW)}内"
            f"{CORRECTIONS_THRESHOLD}次），请核实是否为正常业务。",
            burst,
        )
        for burst in _bursts(corrections, CORRECTIONS_THRESHOLD, CORRECTIONS_WINDOW)
    ]


def quota_nearly_used(quota: QuotaUsage | None, facts: Sequence[AuditFact]) -> list[Alert]:
    """This month's quota used to QUOTA_WARNING_SHARE or more; targets are the month's issues."""
    if quota is None or quota.limit <= 0 or quota.used < quota.limit * QUOTA_WARNING_SHARE:
        return []
    issued = [f for f in facts if f.action == actions.INVOICE_ISSUE and f.at >= quota.month_start]
    percent = (quota.used / quota.limit * 100).quantize(Decimal("0.1"))
    used_up = quota.used >= quota.limit
    message = (
        f"本月开票额度已使用{percent}%（已用{format_money(quota.used)}元，"
        f"额度{format_money(quota.limit)}元），"
        + ("已无剩余额度。" if used_up else "接近上限。")
        + "如需继续开票，请及时申请调整额度。"
    )
    severity = Severity.HIGH if used_up else Severity.WARNING
    targets = _unique(f.target for f in issued)
    return [
        Alert(
            AlertRule.QUOTA_NEARLY_USED,
            severity,
            message,
            quota.month_start,
            quota.as_of,
            targets,
        )
    ]


def paper_stock_low(paper: PaperStock | None) -> list[Alert]:
    """A paper kind with PAPER_STOCK_WARNING or fewer invoices left (none left: high)."""
    if paper is None:
        return []
    return [
        Alert(
            AlertRule.PAPER_STOCK_LOW,
            Severity.HIGH if left == 0 else Severity.WARNING,
            f"{kind.label}库存仅剩{left}份，"
            + ("已无法开具，" if left == 0 else "")
            + "请及时向主管税务机关申领发票。",
            paper.as_of,
            paper.as_of,
            (kind.value,),
        )
        for kind, left in paper.left.items()
        if left <= PAPER_STOCK_WARNING
    ]


def off_hours_issuing(facts: Sequence[AuditFact]) -> list[Alert]:
    """Invoices issued outside business hours, one alert per night."""
    nights: dict[date, list[AuditFact]] = defaultdict(list)
    for fact in facts:
        if fact.action == actions.INVOICE_ISSUE and is_outside_business_hours(fact.at):
            # Shifting by the day's start puts 20:00 to 08:00 the next morning on one date.
            nights[(_china(fact.at) - _since_midnight(BUSINESS_HOURS_START)).date()].append(fact)
    return [
        _alert(
            AlertRule.OFF_HOURS_ISSUING,
            Severity.WARNING,
            f"{_span(issued)}在非工作时间（{BUSINESS_HOURS_END:%H:%M}至次日"
            f"{BUSINESS_HOURS_START:%H:%M}）开具发票{len(issued)}张，开票人："
            f"{'、'.join(_unique(f.actor for f in issued))}，请核实是否为本人操作。",
            issued,
        )
        for issued in nights.values()
    ]


def repeated_failed_logins(facts: Sequence[AuditFact]) -> list[Alert]:
    """One account's wrong passwords: FAILED_LOGINS_THRESHOLD or more in FAILED_LOGINS_WINDOW."""
    by_account: dict[str, list[AuditFact]] = defaultdict(list)
    for fact in facts:
        if fact.action == actions.LOGIN_FAILED:
            by_account[fact.target].append(fact)
    return [
        _alert(
            AlertRule.REPEATED_FAILED_LOGINS,
            Severity.WARNING,
            f"账户“{username}”{_span(burst)}登录失败{len(burst)}次（预警阈值："
            f"{_duration(FAILED_LOGINS_WINDOW)}内{FAILED_LOGINS_THRESHOLD}次），"
            "可能有人在尝试猜测密码。",
            burst,
        )
        for username, failures in by_account.items()
        for burst in _bursts(failures, FAILED_LOGINS_THRESHOLD, FAILED_LOGINS_WINDOW)
    ]


def account_locks(facts: Sequence[AuditFact]) -> list[Alert]:
    """Every lock-out after repeated wrong passwords."""
    return [
        _alert(
            AlertRule.ACCOUNT_LOCKED,
            Severity.HIGH,
            f"账户“{fact.target}”于{_clock_text(fact.at)}因连续输错密码被锁定，"
            "请确认是否为本人操作；如非本人，请提醒其重置密码。",
            [fact],
        )
        for fact in facts
        if fact.action == actions.LOCKED
    ]


def is_outside_business_hours(moment: datetime) -> bool:
    """Whether `moment` falls outside [BUSINESS_HOURS_START, BUSINESS_HOURS_END) China time."""
    local = _china(moment).time()
    return not BUSINESS_HOURS_START <= local < BUSINESS_HOURS_END


def _bursts(facts: Sequence[AuditFact], size: int, window: timedelta) -> list[list[AuditFact]]:
    # Slides a window over time-ordered facts; overlapping full windows merge into one
    # burst, so a long run of activity is one alert rather than one per extra fact.
    bursts: list[list[AuditFact]] = []
    start, covered = 0, -1
    for end, fact in enumerate(facts):
        while fact.at - facts[start].at > window:
            start += 1
        if end - start + 1 < size:
            continue
        if bursts and start <= covered:
            bursts[-1].extend(facts[covered + 1 : end + 1])
        else:
            bursts.append(list(facts[start : end + 1]))
        covered = end
    return bursts


def _alert(rule: AlertRule, severity: Severity, message: str, facts: Sequence[AuditFact]) -> Alert:
    targets = _unique(fact.target for fact in facts)
    return Alert(rule, severity, message, facts[0].at, facts[-1].at, targets)


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _china(moment: datetime) -> datetime:
    return moment.astimezone(CHINA_TZ)


def _since_midnight(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


def _clock_text(moment: datetime) -> str:
    local = _china(moment)
    return f"{local.month}月{local.day}日{local:%H:%M}"


def _span(facts: Sequence[AuditFact]) -> str:
    return f"{_clock_text(facts[0].at)}至{_clock_text(facts[-1].at)}期间"


def _duration(window: timedelta) -> str:
    minutes = int(window.total_seconds() // 60)
    return f"{minutes // 60}小时" if minutes % 60 == 0 else f"{minutes}分钟"
