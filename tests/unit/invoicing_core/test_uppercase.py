from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.uppercase import DIGITS, uppercase_amount


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("1409.50", "壹仟肆佰零玖圆伍角"),
        ("6007.14", "陆仟零柒圆壹角肆分"),
        ("107000.53", "壹拾万柒仟圆零伍角叁分"),
        ("0.05", "伍分"),
        ("100000000", "壹亿圆整"),
        ("10", "壹拾圆整"),
        ("1130.00", "壹仟壹佰叁拾圆整"),
        ("0", "零圆整"),
        ("0.50", "伍角"),
        ("1409.05", "壹仟肆佰零玖圆零伍分"),
        ("100010000", "壹亿零壹万圆整"),
        ("100100", "壹拾万零壹佰圆整"),
        ("1001000", "壹佰万壹仟圆整"),
        ("123456789012.34", "壹仟贰佰叁拾肆亿伍仟陆佰柒拾捌万玖仟零壹拾贰圆叁角肆分"),
    ],
)
def test_amounts_are_written_as_printed_on_invoices(amount: str, expected: str) -> None:
    assert uppercase_amount(Decimal(amount)) == expected


def test_red_invoice_totals_are_prefixed_as_negative() -> None:
    assert uppercase_amount(Decimal("-1130.00")) == "（负数）壹仟壹佰叁拾圆整"


def test_amounts_are_rounded_to_the_cent_first() -> None:
    assert uppercase_amount(Decimal("0.125")) == "壹角叁分"


_UNITS = {"拾": 10, "佰": 100, "仟": 1000}


def _read_back(text: str) -> Decimal:
    """Invert uppercase_amount, to check it against arithmetic rather than itself."""
    sign = -1 if text.startswith("（负数）") else 1
    text = text.removeprefix("（负数）")
    yuan_text, _, fraction = text.rpartition("圆") if "圆" in text else ("", "", text)
    total = section = digit = 0
    for char in yuan_text:
        if char in DIGITS:
            digit = DIGITS.index(char)
        elif char in _UNITS:
            section, digit = section + digit * _UNITS[char], 0
        elif char == "万":
            section, digit = (section + digit) * 10**4, 0
        elif char == "亿":
            total, section, digit = (total + section + digit) * 10**8, 0, 0
    cents = (total + section + digit) * 100
    for char, unit in pairwise(fraction):
        if char in DIGITS:
            cents += DIGITS.index(char) * {"角": 10, "分": 1}.get(unit, 0)
    return sign * Decimal(cents) / 100


@given(st.decimals(min_value=-(10**14), max_value=10**14, places=2, allow_nan=False))
def test_the_uppercase_reads_back_as_the_same_amount(amount: Decimal) -> None:
    assert _read_back(uppercase_amount(amount)) == amount


@given(st.decimals(min_value=0, max_value=10**14, places=2, allow_nan=False))
def test_runs_of_zeros_read_as_one_zero_and_it_ends_properly(amount: Decimal) -> None:
    text = uppercase_amount(amount)
    assert "零零" not in text
    assert text.endswith(("整", "角", "分"))
    assert text.endswith("整") == (amount == amount.to_integral_value())
