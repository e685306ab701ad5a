"""Risk alert rules over audit facts: bursts, quota, business hours and failed logins."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.alerts import (
    CORRECTIONS_THRESHOLD,
    FAILED_LOGINS_THRESHOLD,
    AlertRule,
    AuditFact,
    QuotaUsage,
    Severity,
    account_locks,
    evaluate_alerts,
    frequent_corrections,
    is_outside_business_hours,
    off_hours_issuing,
    quota_nearly_used,
    repeated_failed_logins,
)
from invoicing_core.domain.invoice import CHINA_TZ

MORNING = datetime(2026, 3, 10, 9, 0, tzinfo=CHINA_TZ)
MONTH_START = datetime(2026, 3, 1, tzinfo=CHINA_TZ)


def fact(action: str, minutes: float, target: str = "N1", actor: str = "clerk") -> AuditFact:
    """An audit fact `minutes` after 09:00 on 10 March (China time)."""
    return AuditFact(action, actor, target, MORNING + timedelta(minutes=minutes))


def voids(*minutes: float) -> list[AuditFact]:
    return [fact(actions.INVOICE_VOID, m, target=f"N{i}") for i, m in enumerate(minutes)]


def usage(used: str, limit: str = "1000000") -> QuotaUsage:
    return QuotaUsage(Decimal(limit), Decimal(used), MONTH_START, MORNING)


def test_five_voids_and_red_letters_within_an_hour_raise_one_high_alert() -> None:
    facts = [*voids(0, 10, 20, 30), fact(actions.INVOICE_RED_LETTER, 59, target="B1")]

    [alert] = frequent_corrections(facts)

    assert (alert.rule, alert.severity) == (AlertRule.FREQUENT_CORRECTIONS, Severity.HIGH)
    assert alert.targets == ("N0", "N1", "N2", "N3", "B1")
    assert (alert.window_start, alert.window_end) == (facts[0].at, facts[-1].at)
    assert "作废或红冲发票5次" in alert.message


def test_four_corrections_in_an_hour_or_five_spread_over_more_raise_nothing() -> None:
    assert frequent_corrections(voids(0, 10, 20, 30)) == []
    assert frequent_corrections(voids(0, 20, 40, 60, 61)) == []


def test_a_long_run_of_corrections_is_one_alert_and_separate_runs_are_two() -> None:
    run = voids(*range(0, 100, 10))  # ten voids, one every ten minutes
    [alert] = frequent_corrections(run)
    assert len(alert.targets) == 10

    later = [fact(actions.INVOICE_VOID, 300 + m, target=f"L{m}") for m in range(5)]
    assert len(frequent_corrections(run + later)) == 2


def test_issuing_does_not_count_as_a_correction() -> None:
    issues = [fact(actions.INVOICE_ISSUE, m) for m in range(CORRECTIONS_THRESHOLD * 2)]
    assert frequent_corrections(issues) == []


@pytest.mark.parametrize(
    ("used", "severity"),
    [("900000.00", Severity.WARNING), ("999999.99", Severity.WARNING), ("1000000", Severity.HIGH)],
)
def test_using_90_percent_of_the_monthly_quota_raises_an_alert(
    used: str, severity: Severity
) -> None:
    issued = [fact(actions.INVOICE_ISSUE, 0, target="A"), fact(actions.INVOICE_VOID, 1)]
    before_month = AuditFact(actions.INVOICE_ISSUE, "clerk", "OLD", MONTH_START - timedelta(1))

    [alert] = quota_nearly_used(usage(used), [before_month, *issued])

    assert (alert.rule, alert.severity, alert.targets) == (
        AlertRule.QUOTA_NEARLY_USED,
        severity,
        ("A",),
    )
    assert (alert.window_start, alert.window_end) == (MONTH_START, MORNING)
    assert "本月开票额度已使用" in alert.message


def test_a_quota_below_90_percent_or_unknown_raises_nothing() -> None:
    assert quota_nearly_used(usage("899999.99"), []) == []
    assert quota_nearly_used(None, []) == []
    assert quota_nearly_used(usage("0", limit="0"), []) == []


@pytest.mark.parametrize(
    ("hour", "minute", "outside"),
    [(7, 59, True), (8, 0, False), (12, 0, False), (19, 59, False), (20, 0, True), (23, 0, True)],
)
def test_business_hours_run_from_8_to_20_china_time(hour: int, minute: int, outside: bool) -> None:
    moment = datetime(2026, 3, 10, hour, minute, tzinfo=CHINA_TZ)
    assert is_outside_business_hours(moment) is outside


def test_business_hours_are_judged_in_china_time_whatever_the_timestamps_zone() -> None:
    # 13:00 UTC is 21:00 in Beijing.
    assert is_outside_business_hours(datetime.fromisoformat("2026-03-10T13:00:00+00:00"))


def test_off_hours_issues_of_one_night_make_one_alert_naming_the_issuers() -> None:
    evening = datetime(2026, 3, 10, 21, 30, tzinfo=CHINA_TZ)
    night = [
        AuditFact(actions.INVOICE_ISSUE, "clerk", "N1", evening),
        AuditFact(actions.INVOICE_ISSUE, "boss", "N2", evening + timedelta(hours=8)),  # 05:30
        AuditFact(actions.INVOICE_ISSUE, "clerk", "N3", evening + timedelta(hours=12)),  # 09:30
        AuditFact(actions.INVOICE_VOID, "clerk", "N4", evening),
    ]
    next_night = AuditFact(actions.INVOICE_ISSUE, "clerk", "N5", evening + timedelta(days=1))

    alerts = off_hours_issuing([*night, next_night])

    assert [a.targets for a in alerts] == [("N1", "N2"), ("N5",)]
    assert "开票人：clerk、boss" in alerts[0].message
    assert alerts[0].severity is Severity.WARNING


def test_three_failed_logins_of_one_account_within_15_minutes_raise_an_alert() -> None:
    failures = [fact(actions.LOGIN_FAILED, m, target="clerk") for m in (0, 7, 15)]

    [alert] = repeated_failed_logins(failures)

    assert (alert.rule, alert.targets) == (AlertRule.REPEATED_FAILED_LOGINS, ("clerk",))
    assert f"登录失败{FAILED_LOGINS_THRESHOLD}次" in alert.message


def test_failed_logins_spread_out_or_over_several_accounts_raise_nothing() -> None:
    spread = [fact(actions.LOGIN_FAILED, m, target="clerk") for m in (0, 10, 16)]
    several = [fact(actions.LOGIN_FAILED, m, target=f"user{m}") for m in (0, 1, 2)]
    assert repeated_failed_logins(spread + several) == []


def test_every_lock_out_is_a_high_alert() -> None:
    locks = [fact(actions.LOCKED, 0, target="clerk"), fact(actions.LOCKED, 90, target="boss")]

    alerts = account_locks(locks)

    assert [(a.rule, a.severity, a.targets) for a in alerts] == [
        (AlertRule.ACCOUNT_LOCKED, Severity.HIGH, ("clerk",)),
        (AlertRule.ACCOUNT_LOCKED, Severity.HIGH, ("boss",)),
    ]
    assert "因连续输错密码被锁定" in alerts[0].message


def test_all_rules_run_together_on_unordered_facts_newest_alert_first() -> None:
    failures = [fact(actions.LOGIN_FAILED, m, target="clerk") for m in (5, 0, 10)]
    corrections = voids(30, 31, 32, 33, 34)

    alerts = evaluate_alerts([*failures, *corrections], usage("950000"))

    assert [a.rule for a in alerts] == [
        AlertRule.FREQUENT_CORRECTIONS,
        AlertRule.REPEATED_FAILED_LOGINS,
        AlertRule.QUOTA_NEARLY_USED,
    ]
    assert evaluate_alerts([]) == []
