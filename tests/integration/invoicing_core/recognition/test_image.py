"""Pictures of an invoice are read by OCR, and checked against the QR code and the rules."""

import io

from PIL import Image, ImageDraw

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

# What the benchmark holds photos to: these must come out exactly right.
KEY_FIELDS = ["number", "date", "total_with_tax", "seller_tax_id", "buyer_tax_id"]


def test_a_scan_is_read_exactly_and_its_key_fields_are_certain(
    digital: Invoice, digital_png: bytes
) -> None:
    recognition = recognize(digital_png, filename="scan.png")
    expected = header_of(digital)
    assert recognition.format == "image"
    assert read_header(recognition, list(expected)) == expected
    assert read_lines(recognition) == lines_of(digital)
    assert recognition.checks == []
    assert all(recognition.fields[name].certain for name in KEY_FIELDS)
    assert recognition.fields["seller_tax_id"].source == "ocr"
    assert 0.5 < recognition.fields["seller_tax_id"].confidence <= 1.0
    assert wrong_but_certain(recognition, digital) == []


def test_a_turned_blurred_photo_still_gives_the_key_fields(
    digital: Invoice, digital_pdf: bytes
) -> None:
    photo = documents.photo_of(documents.page_picture(digital_pdf, 1800), angle=-5, quality=60)
    recognition = recognize(photo, filename="photo.jpg")
    expected = header_of(digital)
    assert read_header(recognition, KEY_FIELDS) == {name: expected[name] for name in KEY_FIELDS}
    assert [line["amount"] for line in read_lines(recognition)] == ["1000.00", "399.00"]
    assert recognition.qr_payload is not None
    assert wrong_but_certain(recognition, digital) == []


def test_without_its_qr_code_a_picture_is_read_by_ocr_alone(
    digital: Invoice, digital_pdf: bytes
) -> None:
    picture = documents.page_picture(digital_pdf)
    ImageDraw.Draw(picture).rectangle((0, 0, 330, 330), fill="white")  # the QR code, gone
    recognition = recognize(documents.png_of(picture))
    expected = header_of(digital)
    assert recognition.qr_payload is None
    assert read_header(recognition, KEY_FIELDS) == {name: expected[name] for name in KEY_FIELDS}
    number = recognition.fields["number"]
    assert (number.source, number.certain) == ("ocr", False)  # one source, no rule confirms it
    assert recognition.fields["seller_tax_id"].certain  # its check character confirms it
    assert recognition.fields["total_with_tax"].certain  # the uppercase total confirms it
    assert wrong_but_certain(recognition, digital) == []


def test_a_picture_on_its_side_is_turned_upright_by_its_qr_code(
    digital: Invoice, digital_pdf: bytes
) -> None:
    picture = documents.page_picture(digital_pdf, 1600).transpose(Image.Transpose.ROTATE_90)
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=85)
    recognition = recognize(buffer.getvalue())
    assert recognition.value("number") == digital.number
    assert recognition.value("seller_tax_id") == digital.seller.tax_id
    assert recognition.fields["number"].certain
