from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from invoicing_core.domain.errors import InvalidInput, VoidNotAllowed
from invoicing_core.domain.invoice import CHINA_TZ, Invoice, InvoiceStatus, VoidRecord
from invoicing_core.domain.kind import InvoiceKind

MakeInvoice = Callable[..., Invoice]
SAME_MONTH = datetime(2026, 3, 31, 23, 59, tzinfo=CHINA_TZ)
NEXT_MONTH = datetime(2026, 4, 1, 0, 0, tzinfo=CHINA_TZ)


@pytest.mark.parametrize("kind", [InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.DIGITAL_GENERAL])
def test_digital_invoice_cannot_be_voided(make_invoice: MakeInvoice, kind: InvoiceKind) -> None:
    invoice = make_invoice(kind)
    with pytest.raises(VoidNotAllowed) as raised:
        invoice.void("开错了", by="demo", at=SAME_MONTH)
    assert raised.value.code == "void_not_allowed"
    assert "数电发票" in raised.value.message
    assert "红字发票" in raised.value.message
    assert invoice.status is InvoiceStatus.ISSUED


@pytest.mark.parametrize("kind", [InvoiceKind.PAPER_SPECIAL, InvoiceKind.PAPER_GENERAL])
def test_paper_invoice_is_voided_in_its_month_keeping_who_when_and_why(
    make_invoice: MakeInvoice, kind: InvoiceKind
) -> None:
    invoice = make_invoice(kind)
    invoice.void(" 购买方名称开错 ", by="demo", at=SAME_MONTH)
    assert invoice.status is InvoiceStatus.VOIDED
    assert invoice.voided == VoidRecord(reason="购买方名称开错", by="demo", at=SAME_MONTH)


def test_paper_invoice_cannot_be_voided_after_its_month(make_invoice: MakeInvoice) -> None:
    invoice = make_invoice(InvoiceKind.PAPER_GENERAL)
    with pytest.raises(VoidNotAllowed, match=r"2026年3月，已跨月。.*红字发票"):
        invoice.void("开错了", by="demo", at=NEXT_MONTH)


def test_the_month_is_counted_in_china_time(make_invoice: MakeInvoice) -> None:
    # 16:30 UTC on 31 March is already 1 April in Wuhan.
    invoice = make_invoice(InvoiceKind.PAPER_GENERAL)
    with pytest.raises(VoidNotAllowed, match="已跨月"):
        invoice.void("开错了", by="demo", at=datetime(2026, 3, 31, 16, 30, tzinfo=UTC))
    invoice.void("开错了", by="demo", at=NEXT_MONTH - timedelta(minutes=1))


@pytest.mark.parametrize(("flag", "hint"), [("reported", "抄税"), ("certified", "勾选认证")])
def test_paper_invoice_cannot_be_voided_once_reported_or_certified(
    make_invoice: MakeInvoice, flag: str, hint: str
) -> None:
    invoice = make_invoice(InvoiceKind.PAPER_SPECIAL, **{flag: True})
    with pytest.raises(VoidNotAllowed, match=f"{hint}.*红字发票"):
        invoice.void("开错了", by="demo", at=SAME_MONTH)


def test_an_invoice_is_voided_only_once(make_invoice: MakeInvoice) -> None:
    invoice = make_invoice(InvoiceKind.PAPER_GENERAL)
    invoice.void("开错了", by="demo", at=SAME_MONTH)
    with pytest.raises(VoidNotAllowed, match="已作废"):
        invoice.void("再作废", by="demo", at=SAME_MONTH)


def test_a_red_flushed_invoice_cannot_be_voided(make_invoice: MakeInvoice) -> None:
    invoice = make_invoice(InvoiceKind.PAPER_GENERAL)
    invoice.red_letter(1, number="00000002", code="4200261130", at=SAME_MONTH)
    with pytest.raises(VoidNotAllowed, match="已红冲"):
        invoice.void("开错了", by="demo", at=SAME_MONTH)


def test_voiding_needs_a_reason(make_invoice: MakeInvoice) -> None:
    with pytest.raises(InvalidInput) as raised:
        make_invoice(InvoiceKind.PAPER_GENERAL).void(" ", by="demo", at=SAME_MONTH)
    assert raised.value.field == "reason"
