"""Property tests: every way a clerk writes an amount reads back as the same amount."""

from __future__ import annotations

from decimal import Decimal

from actions.money import parse_amount
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.uppercase import uppercase_amount

YUAN = st.integers(min_value=1, max_value=999_999_999)
AMOUNTS = st.decimals(
    min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2, allow_nan=False
)


@given(YUAN)
def test_arabic_amounts_with_or_without_separators_read_back(yuan: int) -> None:
    for written in (f"{yuan}元", f"{yuan:,}元", f"金额{yuan}块", f"{yuan:,}"):
        assert parse_amount(written) == Decimal(yuan), written


@given(AMOUNTS)
def test_amounts_with_cents_read_back(amount: Decimal) -> None:
    assert parse_amount(f"{amount}元") == amount


@given(st.integers(min_value=1, max_value=99_999))
def test_amounts_in_wan_read_back(tenths_of_wan: int) -> None:
    # 1.2万 = 12000: one decimal of 万, as clerks abbreviate.
    written = f"{Decimal(tenths_of_wan) / 10}万"
    assert parse_amount(written) == Decimal(tenths_of_wan) * 1000, written


@given(AMOUNTS)
def test_the_uppercase_of_the_invoice_reads_back(amount: Decimal) -> None:
    written = uppercase_amount(amount)
    assert parse_amount(written) == amount, written
