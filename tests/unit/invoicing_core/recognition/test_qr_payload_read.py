"""The QR payload the PDF prints is read back by the same module that writes it."""

from collections.abc import Callable
from datetime import date

from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.pdf.qr_payload import invoice_qr_payload, read_qr_payload
from invoicing_core.recognition.qr_fields import read_qr_fields


def test_our_payload_reads_back_with_its_check(make_invoice: Callable[..., Invoice]) -> None:
    found = read_qr_payload(invoice_qr_payload(make_invoice()))
    assert found is not None
    assert (found.kind, found.number, found.amount) == (
        InvoiceKind.DIGITAL_SPECIAL,
        "26421000000000000001",
        "1130.00",
    )
    assert found.issued == date(2026, 3, 10) and found.check_holds


def test_a_paper_payload_carries_the_tax_exclusive_amount(
    make_invoice: Callable[..., Invoice],
) -> None:
    reading = read_qr_fields(invoice_qr_payload(make_invoice(InvoiceKind.PAPER_SPECIAL)))
    assert reading is not None
    assert reading.value("amount") == "1000.00" and reading.value("total_with_tax") is None
    assert (reading.value("code"), reading.value("number")) == ("4200261130", "00000001")
    assert reading.self_checked >= {"number", "code", "date", "amount", "kind"}


def test_another_issuers_payload_is_read_but_not_vouched_for() -> None:
    payload = "01,10,033001900211,12345678,123.45,20200101,12345678901234567890,ABCD"
    reading = read_qr_fields(payload)
    assert reading is not None
    assert reading.value("check_code") == "12345678901234567890"
    assert reading.value("kind") is None and reading.self_checked == set()


def test_what_is_no_payload_reads_as_none() -> None:
    for text in ("https://example.com", "01,31,,123,abc,20260310,,", "01,31,,1,1.00,2026,,"):
        assert read_qr_payload(text) is None
