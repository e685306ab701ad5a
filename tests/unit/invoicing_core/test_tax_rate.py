from decimal import Decimal

import pytest

from invoicing_core.domain.errors import InvalidTaxRate
from invoicing_core.domain.tax_rate import TaxRate


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13%", TaxRate.RATE_13),
        ("0.09", TaxRate.RATE_9),
        ("6", TaxRate.RATE_6),
        (6, TaxRate.RATE_6),
        (Decimal("0.06"), TaxRate.RATE_6),
        ("５％", TaxRate.RATE_5),
        ("3 %", TaxRate.RATE_3),
        ("1%", TaxRate.RATE_1),
        ("0", TaxRate.ZERO),
        ("零税率", TaxRate.ZERO),
        ("免税", TaxRate.EXEMPT),
        ("不征税", TaxRate.NON_TAXABLE),
        (TaxRate.RATE_13, TaxRate.RATE_13),
    ],
)
def test_rates_are_read_from_what_users_write(raw: object, expected: TaxRate) -> None:
    assert TaxRate.parse(raw) is expected


@pytest.mark.parametrize("raw", ["7%", "0.5", "100%", "abc", 0.13, None])
def test_rates_outside_the_rules_are_refused_listing_the_allowed_ones(raw: object) -> None:
    with pytest.raises(InvalidTaxRate, match="13%、9%、6%、5%、3%、1%、0%、免税、不征税"):
        TaxRate.parse(raw)


def test_rates_are_exact_decimals() -> None:
    assert TaxRate.RATE_13.rate == Decimal("0.13")
    assert TaxRate.RATE_1.rate == Decimal("0.01")


def test_exempt_and_non_taxable_lines_carry_a_mark_and_no_tax() -> None:
    assert TaxRate.EXEMPT.is_mark and TaxRate.NON_TAXABLE.is_mark
    assert not TaxRate.ZERO.is_mark
    assert TaxRate.EXEMPT.rate == TaxRate.NON_TAXABLE.rate == 0
