"""Dates and ranges as users say them, relative to a fixed today."""

from __future__ import annotations

from datetime import date

import pytest
from actions.periods import Period, parse_period

TODAY = date(2026, 11, 20)  # a Friday


@pytest.mark.parametrize(
    ("said", "period"),
    [
        ("今天", Period(date(2026, 11, 20), date(2026, 11, 20), "day")),
        ("昨天开的", Period(date(2026, 11, 19), date(2026, 11, 19), "day")),
        ("本月", Period(date(2026, 11, 1), date(2026, 11, 30), "month")),
        ("这个月", Period(date(2026, 11, 1), date(2026, 11, 30), "month")),
        ("上个月", Period(date(2026, 10, 1), date(2026, 10, 31), "month")),
        ("上上个月", Period(date(2026, 9, 1), date(2026, 9, 30), "month")),
        ("今年", Period(date(2026, 1, 1), date(2026, 12, 31), "year")),
        ("去年", Period(date(2025, 1, 1), date(2025, 12, 31), "year")),
        ("10月份", Period(date(2026, 10, 1), date(2026, 10, 31), "month")),
        ("12月", Period(date(2025, 12, 1), date(2025, 12, 31), "month")),
        ("上周", Period(date(2026, 11, 9), date(2026, 11, 15), "range")),
        ("10月8号", Period(date(2026, 10, 8), date(2026, 10, 8), "day")),
        ("2026年11月", Period(date(2026, 11, 1), date(2026, 11, 30), "month")),
        ("11月1号到15号", Period(date(2026, 11, 1), date(2026, 11, 15), "range")),
        ("2026-11-01至2026-11-15", Period(date(2026, 11, 1), date(2026, 11, 15), "range")),
        ("2025-12-01到2026-01-31", Period(date(2025, 12, 1), date(2026, 1, 31), "range")),
    ],
)
def test_periods_are_read_relative_to_today(said: str, period: Period) -> None:
    assert parse_period(said, TODAY) == period


def test_a_message_without_a_date_names_no_period() -> None:
    assert parse_period("帮我查下发票", TODAY) is None
