"""A PDF invoice is read from its text layer and QR code, each field checked against both."""

import time
from dataclasses import replace

import pytest

from invoicing_core.domain.invoice import Invoice
from invoicing_core.pdf import render
from invoicing_core.recognition import recognize
from tests.integration.invoicing_core.recognition import documents
from tests.integration.invoicing_core.recognition.expectations import (
    header_of,
    lines_of,
    read_header,
    read_lines,
    wrong_but_certain,
)


def test_a_digital_pdf_is_read_exactly_and_confirmed_by_its_qr_code(
    digital: Invoice, digital_pdf: bytes
) -> None:
    recognition = recognize(digital_pdf, filename="invoice.pdf")
    expected = header_of(digital)
    assert recognition.format == "pdf"
    assert read_header(recognition, list(expected)) == expected
    assert read_lines(recognition) == lines_of(digital)
    assert recognition.lines[0].name is not None and recognition.lines[0].name.value == "技术咨询"
    category = recognition.lines[1].tax_category
    assert category is not None and category.value == "计算机配套产品"
    assert recognition.checks == []
    assert recognition.qr_payload is not None and recognition.qr_payload.startswith("01,31,,")
    certain = {name for name, found in recognition.fields.items() if found.certain}
    assert certain >= {"kind", "number", "date", "seller_tax_id", "buyer_tax_id", "amount", "tax"}
    assert certain >= {"total_with_tax", "total_in_words"}
    assert "seller_name" not in certain  # printed once, read from one source only
    assert recognition.fields["number"].source == "qr"
    assert recognition.fields["seller_name"].source == "text_layer"
    assert wrong_but_certain(recognition, digital) == []


def test_a_paper_invoice_gives_code_and_number_and_its_exempt_line() -> None:
    invoice = documents.paper_invoice()
    recognition = recognize(documents.pdf_of(invoice))
    expected = header_of(invoice)
    assert read_header(recognition, list(expected)) == expected
    assert read_lines(recognition) == [{"amount": "88.00", "rate": "免税", "tax": "0.00"}]
    assert "buyer_tax_id" not in recognition.fields
    assert recognition.fields["code"].certain and recognition.fields["number"].certain
    assert recognition.checks == []


def test_a_red_letter_invoice_reads_negative() -> None:
    blue = documents.digital_invoice()
    red = blue.red_letter("1", number="26421000000000000002", at=blue.issued_at)
    recognition = recognize(documents.pdf_of(red))
    assert recognition.value("total_with_tax") == "-1510.87"
    assert recognition.value("total_in_words") == red.total_with_tax_upper
    assert [line["amount"] for line in read_lines(recognition)] == ["-1000.00", "-399.00"]
    assert recognition.checks == []


def test_a_qr_code_that_disagrees_with_the_print_is_reported_not_trusted(
    digital: Invoice, monkeypatch: pytest.MonkeyPatch
) -> None:
    forged = replace(documents.digital_invoice(), number="26421000000000000099")
    monkeypatch.setattr(render, "invoice_qr_payload", lambda _invoice: _payload_of(forged))
    recognition = recognize(documents.pdf_of(digital))
    number = recognition.fields["number"]
    assert not number.certain
    assert [(c.field, c.code) for c in recognition.checks] == [("number", "qr_mismatch")]
    assert "26421000000000000001" in recognition.checks[0].message
    assert "26421000000000000099" in recognition.checks[0].message


def test_a_pdf_is_read_in_well_under_a_second(digital_pdf: bytes) -> None:
    recognize(digital_pdf)  # PDFium and zxing loaded
    started = time.perf_counter()
    recognize(digital_pdf)
    assert time.perf_counter() - started < 1.0


def _payload_of(invoice: Invoice) -> str:
    from invoicing_core.pdf import invoice_qr_payload

    return invoice_qr_payload(invoice)
