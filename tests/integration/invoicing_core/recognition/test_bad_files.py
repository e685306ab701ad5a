"""Files that are no invoice, too large, broken, encrypted or bombs: a clear Chinese error, fast."""

import io
import struct
import time
import zipfile
import zlib
from collections.abc import Callable

import pytest
from PIL import Image, ImageDraw, ImageFont
from pypdf import PdfReader, PdfWriter

from invoicing_core.pdf.font import invoice_font
from invoicing_core.recognition import MAX_INPUT_BYTES, RecognitionError, recognize
from tests.integration.invoicing_core.recognition import documents


def refusal(data: bytes) -> RecognitionError:
    with pytest.raises(RecognitionError) as raised:
        recognize(data)
    error = raised.value
    assert error.field == "file"
    assert any("\u4e00" <= char <= "\u9fff" for char in error.message)  # said in Chinese
    return error


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims to be width × height pixels (its pixels never arrive)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    pixels = zlib.compress(b"\x00" * 1024)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("size", [(40_000, 40_000), (10_000, 8_000)])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(size: tuple[int, int]) -> None:
    started = time.perf_counter()
    error = refusal(png_header(*size))
    assert error.code == "image_too_large"
    assert "像素" in error.message
    assert time.perf_counter() - started < 1.0


def test_a_file_over_the_size_limit_is_refused_unread() -> None:
    assert MAX_INPUT_BYTES == 20 * 1024 * 1024
    error = refusal(b"%PDF-1.7\n" + b"\0" * MAX_INPUT_BYTES)
    assert error.code == "file_too_large"


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty_file"),
        ("这是一段文字，不是发票".encode(), "unsupported_file"),
        (b"GIF89a" + b"\0" * 100, "unsupported_file"),
        (b"\x89PNG\r\n\x1a\n" + b"broken" * 50, "broken_image"),
        # A 50 × 50 PNG cut off in its first data chunk (Pillow raised KeyError('MPO') here).
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x002\x00\x00\x002"
            b"\x08\x02\x00\x00\x00\x91]\x1f\xe6\x00\x00\x00\x1eIDA",
            "broken_image",
        ),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF", "broken_pdf"),
        (b"PK\x03\x04" + b"\0" * 200, "broken_ofd"),
    ],
    ids=["empty", "text", "gif", "broken-png", "cut-png", "broken-pdf", "broken-zip"],
)
def test_what_is_no_image_pdf_or_ofd_is_refused(data: bytes, code: str) -> None:
    assert refusal(data).code == code


def test_an_encrypted_pdf_is_refused(digital_pdf: bytes) -> None:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(digital_pdf)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", owner_password="owner")
    buffer = io.BytesIO()
    writer.write(buffer)
    assert refusal(buffer.getvalue()).code == "encrypted_pdf"


def test_a_truncated_pdf_is_refused_or_read_without_inventing(digital_pdf: bytes) -> None:
    truncated = digital_pdf[: len(digital_pdf) // 3]
    try:
        recognition = recognize(truncated)
    except RecognitionError as error:
        assert error.code in {"broken_pdf", "not_an_invoice"}
    else:  # PDFium may rebuild what is left; whatever it reads must not be invented
        assert all(not found.certain for found in recognition.fields.values()) or (
            recognition.value("number") == "26421000000000000001"
        )


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "members",
    [
        pytest.param(
            lambda: {"OFD.xml": b"<a/>", "Doc_0/big.xml": b" " * (80 * 1024 * 1024)}, id="huge"
        ),
        pytest.param(lambda: {f"Doc_0/{i}.xml": b"<a/>" for i in range(3000)}, id="many-members"),
    ],
)
def test_an_ofd_zip_bomb_is_refused_unpacked(members: Callable[[], dict[str, bytes]]) -> None:
    data = zip_of(members())
    assert len(data) < MAX_INPUT_BYTES
    started = time.perf_counter()
    assert refusal(data).code == "ofd_too_large"
    assert time.perf_counter() - started < 1.0


def test_an_ofd_with_entity_declarations_is_refused() -> None:
    laughs = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY b "bbbbbbbb">]><a>&b;</a>'
    assert refusal(zip_of({"OFD.xml": laughs})).code == "broken_ofd"


def test_a_photo_without_an_invoice_is_not_an_invoice() -> None:
    picture = Image.new("RGB", (1200, 900), (180, 150, 120))
    draw = ImageDraw.Draw(picture)
    draw.ellipse((300, 200, 900, 800), fill=(90, 70, 50))  # a cat, roughly
    draw.ellipse((420, 380, 500, 440), fill=(230, 230, 90))
    draw.ellipse((700, 380, 780, 440), fill=(230, 230, 90))
    font = ImageFont.truetype(_font_path(), 48)
    draw.text((100, 60), "我家的猫 Mimi 2026年3月", font=font, fill=(0, 0, 0))
    error = refusal(documents.png_of(picture))
    assert error.code == "not_an_invoice"


def _font_path() -> str:
    from importlib.resources import files

    invoice_font()
    return str(files("paperang_p2_fonts_cjk").joinpath("fonts/wqy-microhei.ttc"))
