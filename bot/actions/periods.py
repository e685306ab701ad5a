"""Dates and date ranges as users say them: "今天", "上个月", "10月份", "11月1号到15号".

Standard library only, so it can be unit-tested outside Rasa's environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from actions.numerals import NotANumber, parse_number

_NUM = r"(\d{1,4}|[零〇一二两三四五六七八九十]+)"
_FULL_DATE = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?")
_MONTH_DAY = re.compile(r"(?:(\d{4})\s*年\s*)?" + _NUM + r"\s*月\s*" + _NUM + r"\s*[日号]")
_YEAR_MONTH = re.compile(r"(?:(\d{4})\s*[年-]\s*)?" + _NUM + r"\s*月(?:份)?(?!\s*\d)")
_YEAR = re.compile(r"(\d{4})\s*年(?:度)?")
_DAY_ONLY = re.compile(_NUM + r"\s*[日号]")
_RANGE_SPLIT = re.compile(r"\s*(?:到|至|~|－|—|-(?=\s*\d{4})|–)\s*")

_RELATIVE_DAYS = {"今天": 0, "今日": 0, "当天": 0, "昨天": 1, "昨日": 1, "前天": 2}


@dataclass(frozen=True)
class Period:
    """An inclusive range of days and the report granularity that fits it."""

    start: date
    end: date
    granularity: str  # "day", "month", "year" or "range"


def parse_period(text: str, today: date) -> Period | None:
    """The period named in `text`, or None when it names none."""
    parts = _RANGE_SPLIT.split(text.strip(), maxsplit=1)
    if len(parts) == 2 and all(parts):
        first = parse_period(parts[0], today)
        second = _second_end(parts[1], first, today)
        if first and second:
            return Period(first.start, second.end, "range")
    return _single(text, today)


def _second_end(text: str, first: Period | None, today: date) -> Period | None:
    """The end of a range; "15号" after "11月1号" stays in November."""
    if first is None:
        return None
    day_only = _DAY_ONLY.fullmatch(text.strip())
    if day_only and not re.search("月", text):
        day = _int(day_only.group(1))
        return _safe_day(first.start.year, first.start.month, day)
    return _single(text, today)


def _single(text: str, today: date) -> Period | None:
    for parser in (_relative, _full_date, _month_day, _year_month, _year):
        found = parser(text, today)
        if found:
            return found
    return None


def _relative(text: str, today: date) -> Period | None:
    for word, back in _RELATIVE_DAYS.items():
        if word in text:
            day = today - timedelta(days=back)
            return Period(day, day, "day")
    if re.search("上上个?月", text):
        return _month(_shift_month(today, -2))
    if re.search("上个?月", text):
        return _month(_shift_month(today, -1))
    if re.search("(本|这一?个?|当)月|月初至今|这个月", text):
        return _month(today)
    if re.search("最近一个月|近一个月|近30天|最近30天", text):
        return Period(today - timedelta(days=29), today, "range")
    if re.search("上周|上个星期|上星期", text):
        monday = today - timedelta(days=today.weekday() + 7)
        return Period(monday, monday + timedelta(days=6), "range")
    if re.search("本周|这周|这个星期|这星期", text):
        monday = today - timedelta(days=today.weekday())
        return Period(monday, today, "range")
    if re.search("去年|上一年", text):
        return _year_of(today.year - 1)
    if re.search("今年|本年|这一年|年度|全年", text):
        return _year_of(today.year)
    return None


def _full_date(text: str, today: date) -> Period | None:
    match = _FULL_DATE.search(text)
    if not match:
        return None
    year, month, day = (int(group) for group in match.groups())
    return _safe_day(year, month, day)


def _month_day(text: str, today: date) -> Period | None:
    match = _MONTH_DAY.search(text)
    if not match:
        return None
    month, day = _int(match.group(2)), _int(match.group(3))
    year = int(match.group(1)) if match.group(1) else _recent_year(today, month, day)
    return _safe_day(year, month, day)


def _year_month(text: str, today: date) -> Period | None:
    match = _YEAR_MONTH.search(text)
    if not match:
        return None
    month = _int(match.group(2))
    if not 1 <= month <= 12:
        return None
    year = int(match.group(1)) if match.group(1) else _recent_year(today, month, 1)
    return _month(date(year, month, 1))


def _year(text: str, today: date) -> Period | None:
    match = _YEAR.search(text)
    return _year_of(int(match.group(1))) if match else None


def _recent_year(today: date, month: int, day: int) -> int:
    """A month without a year is the latest one not in the future."""
    return today.year if (month, day) <= (today.month, today.day) else today.year - 1


def _month(day: date) -> Period:
    first = day.replace(day=1)
    last = _shift_month(first, 1) - timedelta(days=1)
    return Period(first, last, "month")


def _year_of(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31), "year")


def _shift_month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _safe_day(year: int, month: int, day: int) -> Period | None:
    try:
        found = date(year, month, day)
    except ValueError:
        return None
    return Period(found, found, "day")


def _int(text: str) -> int:
    try:
        return int(parse_number(text))
    except NotANumber:
        return 0
