from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.errors import InvalidNumber
from invoicing_core.domain.money import format_money, parse_decimal, parse_money, round_money

cents = st.decimals(min_value=-(10**12), max_value=10**12, places=2, allow_nan=False)


def test_halves_round_away_from_zero() -> None:
    assert round_money(Decimal("0.125")) == Decimal("0.13")
    assert round_money(Decimal("-0.125")) == Decimal("-0.13")
    assert round_money(Decimal("2.675")) == Decimal("2.68")


def test_money_is_formatted_with_two_decimals() -> None:
    assert format_money(Decimal("1130")) == "1130.00"
    assert format_money(Decimal("-0.5")) == "-0.50"


def test_negative_zero_is_formatted_as_zero() -> None:
    assert format_money(-Decimal("0.00")) == "0.00"


def test_strings_and_integers_are_parsed() -> None:
    assert parse_decimal(" 12.5 ", "quantity") == Decimal("12.5")
    assert parse_decimal(3, "quantity") == 3
    assert parse_money("1130", "amount") == Decimal("1130.00")


@pytest.mark.parametrize("value", [0.1, 1.0, True])
def test_floats_and_booleans_are_refused(value: object) -> None:
    with pytest.raises(InvalidNumber) as raised:
        parse_decimal(value, "unit_price")
    assert raised.value.field == "unit_price"
    assert "单价" in raised.value.message


@pytest.mark.parametrize("value", ["abc", "", "NaN", "Infinity", "1e20", None])
def test_unreadable_or_absurd_numbers_are_refused(value: object) -> None:
    with pytest.raises(InvalidNumber):
        parse_decimal(value, "amount")


def test_money_with_more_than_two_decimals_is_refused() -> None:
    with pytest.raises(InvalidNumber, match="两位小数"):
        parse_money("1.005", "amount")


@given(cents)
def test_formatted_money_parses_back_to_itself(amount: Decimal) -> None:
    assert parse_money(format_money(amount), "amount") == amount


@given(st.decimals(min_value=-(10**12), max_value=10**12, allow_nan=False))
def test_rounding_is_idempotent_and_within_half_a_cent(value: Decimal) -> None:
    rounded = round_money(value)
    assert round_money(rounded) == rounded
    assert abs(rounded - value) <= Decimal("0.005")


@given(st.floats(allow_nan=True))
def test_no_float_is_ever_accepted(value: float) -> None:
    with pytest.raises(InvalidNumber):
        parse_money(value, "amount")
