"""The supported range of dates: every period holding one of them can be computed and stored."""

from datetime import UTC, date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.dates import EARLIEST_DATE, LATEST_DATE, check_date
from invoicing_core.domain.errors import DateOutOfRange, InvalidInput
from invoicing_core.services.reports import Period


@pytest.mark.parametrize("day", [EARLIEST_DATE, date(2026, 3, 10), LATEST_DATE])
def test_a_date_in_the_range_is_accepted_as_it_is(day: date) -> None:
    assert check_date(day, "date") == day


@pytest.mark.parametrize(
    "day", [date.min, date(1899, 12, 31), date(3000, 1, 1), date(9999, 1, 1), date.max]
)
def test_a_date_outside_the_range_is_refused_naming_the_field_and_the_range(day: date) -> None:
    with pytest.raises(DateOutOfRange) as raised:
        check_date(day, "from")
    assert isinstance(raised.value, InvalidInput)
    assert (raised.value.code, raised.value.field) == ("date_out_of_range", "from")
    assert day.isoformat() in raised.value.message
    assert EARLIEST_DATE.isoformat() in raised.value.message
    assert LATEST_DATE.isoformat() in raised.value.message


@given(st.dates(min_value=EARLIEST_DATE, max_value=LATEST_DATE), st.sampled_from(list(Period)))
def test_every_period_of_a_supported_date_has_bounds_that_can_be_stored(
    day: date, period: Period
) -> None:
    start, end = period.bounds(day)
    # The database keeps UTC; a search up to a day ends at the next day's midnight.
    assert start.astimezone(UTC) < end.astimezone(UTC)
    assert start.date() <= day < end.date()
