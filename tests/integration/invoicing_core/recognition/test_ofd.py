"""An OFD e-invoice is read from its page's text objects, its attached invoice data and the
QR code among its pictures; where text and data agree, the field is certain."""

from invoicing_core.domain.invoice import Invoice
from invoicing_core.recognition import recognize
from tests.integration.invoicing_core.recognition import documents
from tests.integration.invoicing_core.recognition.expectations import (
    header_of,
    lines_of,
    read_header,
    read_lines,
    wrong_but_certain,
)


def test_an_ofd_is_read_from_its_text_data_and_qr_code(
    digital: Invoice, digital_pdf: bytes
) -> None:
    recognition = recognize(documents.ofd_of(digital, digital_pdf), filename="invoice.ofd")
    expected = header_of(digital)
    assert recognition.format == "ofd"
    assert read_header(recognition, list(expected)) == expected
    assert read_lines(recognition) == lines_of(digital)
    assert recognition.checks == []
    assert recognition.qr_payload is not None
    # The names are printed once but also in the attached data: two sources agree.
    assert recognition.fields["seller_name"].certain
    assert recognition.fields["buyer_name"].certain
    assert wrong_but_certain(recognition, digital) == []


def test_an_ofd_whose_data_disagrees_with_its_page_says_so(
    digital: Invoice, digital_pdf: bytes
) -> None:
    ofd = documents.ofd_of(digital, digital_pdf)
    tampered = documents.replace_member(
        ofd,
        "Doc_0/Attachs/original_invoice.xml",
        lambda xml: xml.replace(b"<fp:BuyerName>", b"<fp:BuyerName>\xe5\x8c\x97\xe4\xba\xac"),
    )
    recognition = recognize(tampered)
    assert recognition.value("buyer_name") == digital.buyer.name  # the page's reading
    assert not recognition.fields["buyer_name"].certain
    assert [(c.field, c.code) for c in recognition.checks] == [("buyer_name", "source_mismatch")]
    assert "北京上海某某贸易有限公司" in recognition.checks[0].message
