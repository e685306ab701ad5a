"""One document in, its recognition out: the readers per format, then merge and rules."""

from collections.abc import Sequence

from PIL import Image

from invoicing_core.recognition.assemble import assemble
from invoicing_core.recognition.errors import RecognitionError
from invoicing_core.recognition.image import open_image
from invoicing_core.recognition.printed import looks_like_invoice, read_printed
from invoicing_core.recognition.qr import QrRead, read_qr
from invoicing_core.recognition.qr_fields import read_qr_fields
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.result import Format, Recognition
from invoicing_core.recognition.sniff import sniff
from invoicing_core.recognition.text_lines import Page

_TURNS = {90, 180, 270}


def recognize_document(data: bytes) -> Recognition:
    """Recognise an invoice image, PDF or OFD (the format is told by the content)."""
    kind = sniff(data)
    if kind == "image":
        return _image(data)
    if kind == "pdf":
        return _pdf(data)
    return _ofd(data)


def _image(data: bytes) -> Recognition:
    from invoicing_core.recognition.ocr import ocr_page

    picture = open_image(data)
    qr = read_qr(picture)
    page = ocr_page(_upright(picture, qr))
    return _recognition("image", qr, [page], [])


def _pdf(data: bytes) -> Recognition:
    from invoicing_core.recognition.pdf import has_text, open_pdf, render_page, text_pages

    with open_pdf(data) as document:
        pages = text_pages(document)
        picture = render_page(document)
    qr = read_qr(picture)
    if not has_text(pages):  # a scan saved as PDF
        from invoicing_core.recognition.ocr import ocr_page

        pages = [ocr_page(_upright(picture, qr))]
    return _recognition("pdf", qr, pages, [])


def _ofd(data: bytes) -> Recognition:
    from invoicing_core.recognition.ofd import read_ofd

    document = read_ofd(data)
    qr = None
    for picture in document.images:
        try:
            qr = read_qr(open_image(picture))
        except RecognitionError:
            continue
        if qr is not None:
            break
    extra = [document.data] if document.data.fields else []
    return _recognition("ofd", qr, document.pages, extra)


def _upright(picture: Image.Image, qr: QrRead | None) -> Image.Image:
    """The picture turned upright when its QR code says it lies on its side or head."""
    if qr is None:
        return picture
    turn = round(qr.orientation / 90) * 90 % 360
    return picture.rotate(turn, expand=True) if turn in _TURNS else picture


def _recognition(
    format_: Format, qr: QrRead | None, pages: Sequence[Page], extra: Sequence[Reading]
) -> Recognition:
    qr_reading = read_qr_fields(qr.text) if qr is not None else None
    if qr_reading is None and not looks_like_invoice(pages) and not extra:
        raise RecognitionError(
            "not_an_invoice",
            "没有在文件中找到发票：请上传完整、清晰的发票照片、扫描件、PDF或OFD文件。",
        )
    readings = [r for r in (qr_reading, read_printed(pages), *extra) if r is not None]
    return assemble(format_, readings, qr.text if qr is not None else None)
