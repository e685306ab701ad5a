"""The calendar days users may name: in searches, reports and alerts."""

from datetime import date

from invoicing_core.domain.errors import DateOutOfRange

# The dates the system answers for, well inside what `datetime` can hold, so that the
# bounds of any day, month or year containing one of them (the next day, month or year,
# its midnight in China time, that moment in UTC as stored) can always be computed.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)


def check_date(day: date, field: str) -> date:
    """`day` itself, if within the supported range; refused, naming `field`, if not."""
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise DateOutOfRange(
            f"日期{day.isoformat()}超出支持范围，请填写"
            f"{EARLIEST_DATE.isoformat()}至{LATEST_DATE.isoformat()}之间的日期。",
            field=field,
        )
    return day
