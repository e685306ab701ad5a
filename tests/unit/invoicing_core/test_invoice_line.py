from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from invoicing_core.domain.errors import InvalidInput, InvalidNumber
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.tax_rate import TaxRate

quantities = st.decimals(min_value="0.001", max_value=10_000, places=3)
prices = st.decimals(min_value="0.01", max_value=100_000, places=4)
rates = st.sampled_from(list(TaxRate))


def test_tax_exclusive_input_computes_amount_and_tax() -> None:
    line = InvoiceLine.from_input(
        name="笔记本电脑", quantity="2", unit_price="4999.99", tax_rate="13%"
    )
    assert line.amount == Decimal("9999.98")
    assert line.tax == Decimal("1300.00")
    assert line.total_with_tax == Decimal("11299.98")


def test_tax_inclusive_input_splits_the_total_into_amount_and_tax() -> None:
    line = InvoiceLine.from_input(
        name="技术服务", quantity="1", unit_price="1060", tax_rate="6%", tax_included=True
    )
    assert (line.amount, line.tax) == (Decimal("1000.00"), Decimal("60.00"))
    assert line.unit_price == Decimal(1000)


def test_exempt_lines_carry_no_tax() -> None:
    line = InvoiceLine.from_input(name="蔬菜", quantity="3", unit_price="5.5", tax_rate="免税")
    assert line.tax == 0
    assert line.tax_rate is TaxRate.EXEMPT


def test_input_text_is_trimmed() -> None:
    line = InvoiceLine.from_input(
        name=" 咨询费 ", quantity=1, unit_price=1, tax_rate=6, tax_code=" 3040201000000000000 "
    )
    assert (line.name, line.tax_code) == ("咨询费", "3040201000000000000")


def test_a_float_price_is_refused() -> None:
    with pytest.raises(InvalidNumber):
        InvoiceLine.from_input(name="咨询费", quantity=1, unit_price=0.1, tax_rate=6)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"tax_code": "30402010"}, "tax_code"),
        ({"quantity": Decimal(0)}, "quantity"),
        ({"unit_price": Decimal("-1")}, "unit_price"),
        ({"unit_price": None}, "quantity"),
        ({"amount": Decimal("1000.02")}, "amount"),
        ({"amount": Decimal("1000.001")}, "amount"),
        ({"quantity": None, "unit_price": None, "amount": Decimal(0)}, "amount"),
        ({"tax": Decimal("130.07")}, "tax"),
        ({"tax_rate": TaxRate.EXEMPT}, "tax"),
    ],
)
def test_inconsistent_lines_are_refused_naming_the_field(
    changes: dict[str, object], field: str
) -> None:
    fields: dict[str, object] = {
        "name": "咨询费",
        "quantity": Decimal(10),
        "unit_price": Decimal(100),
        "amount": Decimal("1000.00"),
        "tax_rate": TaxRate.RATE_13,
        "tax": Decimal("130.00"),
    } | changes
    with pytest.raises(InvalidInput) as raised:
        InvoiceLine(**fields)  # type: ignore[arg-type]
    assert raised.value.field == field


def test_the_limits_themselves_are_allowed() -> None:
    line = InvoiceLine(
        name="咨询费",
        quantity=Decimal(10),
        unit_price=Decimal(100),
        amount=Decimal("1000.01"),
        tax_rate=TaxRate.RATE_13,
        tax=Decimal("130.06"),
    )
    assert line.tax_difference == Decimal("-0.0587")


def test_a_zero_quantity_is_refused_before_dividing_by_it() -> None:
    with pytest.raises(InvalidInput):
        InvoiceLine.from_input(
            name="咨询费", quantity="0", unit_price="1", tax_rate=6, tax_included=True
        )


def test_a_negated_line_is_negative_and_points_at_its_blue_line() -> None:
    line = InvoiceLine.from_input(name="蔬菜", quantity="3", unit_price="5.5", tax_rate="免税")
    red = line.negated(blue_line_no=2)
    assert (red.quantity, red.unit_price) == (Decimal(-3), Decimal("5.5"))
    assert (red.amount, red.tax) == (Decimal("-16.50"), Decimal(0))
    assert red.blue_line_no == 2
    assert not red.tax.is_signed()


@given(quantities, prices, rates, st.booleans())
def test_any_entered_line_satisfies_the_tolerances(
    quantity: Decimal, price: Decimal, rate: TaxRate, tax_included: bool
) -> None:
    assume(quantity * price >= Decimal("0.01"))
    line = InvoiceLine.from_input(
        name="商品", quantity=quantity, unit_price=price, tax_rate=rate, tax_included=tax_included
    )
    assert line.quantity is not None and line.unit_price is not None
    assert abs(line.quantity * line.unit_price - line.amount) <= Decimal("0.01")
    assert abs(line.tax_difference) <= Decimal("0.06")


@given(quantities, prices, rates)
def test_tax_inclusive_lines_add_up_to_what_the_buyer_pays(
    quantity: Decimal, price: Decimal, rate: TaxRate
) -> None:
    assume(quantity * price >= Decimal("0.01"))
    line = InvoiceLine.from_input(
        name="商品", quantity=quantity, unit_price=price, tax_rate=rate, tax_included=True
    )
    assert line.total_with_tax == (quantity * price).quantize(Decimal("0.01"), "ROUND_HALF_UP")
