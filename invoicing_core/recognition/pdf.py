"""A PDF's text layer with positions, and its first page as a picture (for the QR code).

pypdfium2 (Apache-2.0/BSD); the text comes in the runs PDFium groups it into.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from invoicing_core.recognition.errors import RecognitionError
from invoicing_core.recognition.image import MAX_SIDE
from invoicing_core.recognition.text_lines import Page, TextLine

# An invoice runs to a few pages; a document beyond this is read no further.
MAX_PAGES = 5
# Fewer printed characters than this on the first page: a scan, read by OCR instead.
MIN_TEXT_CHARS = 20
_RASTER_LONGEST = MAX_SIDE


@contextmanager
def open_pdf(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """The document, closed afterwards; encrypted and broken files are refused."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if error.err_code == pdfium_c.FPDF_ERR_PASSWORD:
            raise RecognitionError(
                "encrypted_pdf", "PDF文件已加密，无法读取；请上传未加密的发票PDF。"
            ) from error
        raise RecognitionError(
            "broken_pdf", "PDF文件已损坏或不完整，无法读取；请重新下载发票后上传。"
        ) from error
    try:
        if len(document) == 0:
            raise RecognitionError("broken_pdf", "PDF文件没有页面，无法读取。")
        yield document
    finally:
        document.close()


def text_pages(document: pdfium.PdfDocument) -> list[Page]:
    """The text layer of the first pages, in points from the page's top left."""
    pages: list[Page] = []
    for index in range(min(len(document), MAX_PAGES)):
        page = document[index]
        try:
            pages.append(_text_page(page))
        finally:
            page.close()
    return pages


def has_text(pages: list[Page]) -> bool:
    """Whether the first page carries a text layer worth reading (not a scan)."""
    return bool(pages) and sum(len(line.key) for line in pages[0].lines) >= MIN_TEXT_CHARS


def render_page(document: pdfium.PdfDocument, index: int = 0) -> Image.Image:
    """One page as an RGB picture, its longest side MAX_SIDE px."""
    page = document[index]
    try:
        width, height = page.get_size()
        scale = _RASTER_LONGEST / max(width, height, 1.0)
        picture: Image.Image = page.render(scale=scale).to_pil()
        return picture.convert("RGB")
    finally:
        page.close()


def _text_page(page: pdfium.PdfPage) -> Page:
    width, height = page.get_size()
    textpage = page.get_textpage()
    try:
        lines: list[TextLine] = []
        for index in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(index)
            text = textpage.get_text_bounded(left, bottom, right, top)
            text = " ".join(text.split())
            if text:
                lines.append(TextLine(text, left, height - top, right, height - bottom))
        return Page(tuple(lines), "text_layer", width, height)
    finally:
        textpage.close()
