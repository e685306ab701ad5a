"""Working hours of the agents, in the service's time zone."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.handoff.working_hours import WorkingHours

WEEKDAYS = WorkingHours.parse("12345", "09:00-18:00", "Asia/Shanghai")


def test_agents_work_on_weekdays_within_the_window_in_beijing_time() -> None:
    monday_10_beijing = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
    assert WEEKDAYS.is_open(monday_10_beijing)


def test_before_the_window_and_at_its_end_nobody_works() -> None:
    assert not WEEKDAYS.is_open(datetime(2026, 11, 30, 0, 59, tzinfo=UTC))  # 08:59
    assert not WEEKDAYS.is_open(datetime(2026, 11, 30, 10, 0, tzinfo=UTC))  # 18:00


def test_nobody_works_at_the_weekend() -> None:
    saturday_10_beijing = datetime(2026, 11, 28, 2, 0, tzinfo=UTC)
    assert not WEEKDAYS.is_open(saturday_10_beijing)


def test_the_default_is_around_the_clock_and_the_hours_read_in_chinese() -> None:
    always = WorkingHours.parse("1234567", "00:00-24:00", "Asia/Shanghai")
    assert always.is_open(datetime(2026, 11, 29, 19, 30, tzinfo=UTC))
    assert always.describe() == "每天 00:00-24:00"
    assert WEEKDAYS.describe() == "周一至周五 09:00-18:00"
    mornings = WorkingHours.parse("16", "09:00-12:00", "Asia/Shanghai")
    assert mornings.describe() == "周一、周六 09:00-12:00"
