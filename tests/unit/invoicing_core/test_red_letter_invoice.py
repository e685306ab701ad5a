from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.errors import (
    InvalidInput,
    InvalidNumber,
    RedExceedsBlue,
    RedLetterNotAllowed,
)
from invoicing_core.domain.invoice import CHINA_TZ, Invoice, InvoiceStatus
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.red_letter import RedLetterReason, RedLinePart

MakeInvoice = Callable[..., Invoice]
MakeLine = Callable[..., InvoiceLine]
LATER = datetime(2026, 5, 6, 10, 0, tzinfo=CHINA_TZ)


def red_letter(blue: Invoice, parts: list[RedLinePart] | None = None) -> Invoice:
    """Red-letter `blue` for an invoicing error, under the next free number."""
    number = f"26421{len(blue.red_letters) + 2:015d}"
    return blue.red_letter("1", parts, number=number, at=LATER)


def test_a_full_red_letter_invoice_negates_the_blue_one(make_invoice: MakeInvoice) -> None:
    blue = make_invoice()
    red = red_letter(blue)
    totals = (red.total_amount, red.total_tax, red.total_with_tax)
    assert totals == (Decimal("-1000.00"), Decimal("-130.00"), Decimal("-1130.00"))
    assert red.total_with_tax_upper == "（负数）壹仟壹佰叁拾圆整"
    assert red.red_of == blue.number
    assert red.red_reason is RedLetterReason.INVOICING_ERROR
    assert red.lines[0].quantity == -10
    assert red.status is InvoiceStatus.ISSUED
    assert blue.status is InvoiceStatus.RED_FLUSHED


def test_a_partial_red_letter_invoice_leaves_the_rest(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    blue = make_invoice(lines=(make_line("10", "100"), make_line("2", "50", "6%")))
    red = red_letter(blue, [RedLinePart(1, Decimal("300"))])
    assert (red.total_amount, red.total_tax) == (Decimal("-300.00"), Decimal("-39.00"))
    assert red.lines[0].quantity is None
    assert blue.status is InvoiceStatus.PARTLY_RED_FLUSHED
    assert blue.remaining(1) == (Decimal("700.00"), Decimal("91.00"))
    assert blue.remaining(2) == (Decimal("100.00"), Decimal("6.00"))


def test_a_later_full_red_letter_takes_only_what_remains(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    blue = make_invoice(lines=(make_line("10", "100"), make_line("2", "50", "6%")))
    red_letter(blue, [RedLinePart(1, Decimal("300"))])
    rest = red_letter(blue)
    assert (rest.total_amount, rest.total_tax) == (Decimal("-800.00"), Decimal("-97.00"))
    assert blue.status is InvoiceStatus.RED_FLUSHED


def test_whole_lines_may_be_chosen_without_amounts(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    blue = make_invoice(lines=(make_line("10", "100"), make_line("2", "50", "6%")))
    red = red_letter(blue, [RedLinePart(2)])
    assert red.lines[0].blue_line_no == 2
    assert red.lines[0].quantity == -2
    assert blue.status is InvoiceStatus.PARTLY_RED_FLUSHED


def test_red_letters_never_exceed_a_line_of_the_blue_invoice(make_invoice: MakeInvoice) -> None:
    blue = make_invoice()
    red_letter(blue, [RedLinePart(1, Decimal("600"))])
    with pytest.raises(RedExceedsBlue, match=r"剩余可红冲金额为400\.00元") as raised:
        red_letter(blue, [RedLinePart(1, Decimal("400.01"))])
    assert raised.value.code == "red_exceeds_blue"


def test_a_fully_red_flushed_invoice_has_nothing_left_to_negate(make_invoice: MakeInvoice) -> None:
    blue = make_invoice()
    red_letter(blue)
    with pytest.raises(RedExceedsBlue, match="已全额红冲"):
        red_letter(blue)


@pytest.mark.parametrize(
    "parts",
    [
        [RedLinePart(2)],
        [RedLinePart(1, Decimal("0"))],
        [RedLinePart(1, Decimal("1.005"))],
        [RedLinePart(1, Decimal("1")), RedLinePart(1, Decimal("2"))],
    ],
)
def test_malformed_parts_are_refused(make_invoice: MakeInvoice, parts: list[RedLinePart]) -> None:
    with pytest.raises((InvalidInput, InvalidNumber)):
        red_letter(make_invoice(), parts)


def test_a_red_letter_invoice_cannot_itself_be_red_lettered(make_invoice: MakeInvoice) -> None:
    red = red_letter(make_invoice())
    with pytest.raises(RedLetterNotAllowed):
        red_letter(red)


def test_a_voided_invoice_cannot_be_red_lettered(make_invoice: MakeInvoice) -> None:
    blue = make_invoice(InvoiceKind.PAPER_GENERAL)
    blue.void("开错了", by="demo", at=blue.issued_at)
    with pytest.raises(RedLetterNotAllowed, match="已作废"):
        blue.red_letter(1, number="00000002", code="4200261130", at=blue.issued_at)


def test_voiding_a_paper_red_letter_invoice_restores_the_blue_one(
    make_invoice: MakeInvoice,
) -> None:
    blue = make_invoice(InvoiceKind.PAPER_GENERAL)
    red = blue.red_letter("销货退回", number="00000002", code="4200261130", at=blue.issued_at)
    assert red.red_reason is RedLetterReason.SALES_RETURN
    red.void("红冲有误", by="demo", at=blue.issued_at)
    assert blue.status is InvoiceStatus.ISSUED
    assert blue.remaining(1) == (Decimal("1000.00"), Decimal("130.00"))


def test_an_unknown_reason_is_refused_listing_the_reasons(make_invoice: MakeInvoice) -> None:
    with pytest.raises(InvalidInput, match="1 开票有误、2 销货退回、3 服务终止、4 销售折让"):
        make_invoice().red_letter("5", number="26421000000000000002", at=LATER)


@given(st.lists(st.decimals(min_value="0.01", max_value="400.00", places=2), max_size=8))
def test_partial_red_letters_add_up_to_the_blue_invoice_and_never_beyond(
    make_invoice: MakeInvoice, amounts: list[Decimal]
) -> None:
    blue = make_invoice()
    for amount in amounts:
        left, _ = blue.remaining(1)
        if amount > left:
            with pytest.raises(RedExceedsBlue):
                red_letter(blue, [RedLinePart(1, amount)])
        else:
            red_letter(blue, [RedLinePart(1, amount)])
    if blue.status is not InvoiceStatus.RED_FLUSHED:
        red_letter(blue)
    reds = blue.red_letters
    assert sum(red.total_amount for red in reds) == -blue.total_amount
    assert sum(red.total_tax for red in reds) == -blue.total_tax
    assert blue.status is InvoiceStatus.RED_FLUSHED
