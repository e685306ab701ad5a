"""Reading the invoice's QR code with zxing-cpp, retrying on enlarged crops.

A photo taken from afar leaves the QR code a few pixels per module; zxing then
fails on the whole picture but reads an enlarged corner (invoices print it top left).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from invoicing_core.pdf.qr_payload import read_qr_payload

_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_ENLARGED_SIDE = 1600  # a crop is enlarged to at least this many pixels on its longer side


@dataclass(frozen=True)
class QrRead:
    """The text the code carries and how far it is turned (degrees, clockwise)."""

    text: str
    orientation: int


def read_qr(image: Image.Image) -> QrRead | None:
    """The invoice's QR code (one carrying an invoice payload preferred), or None."""
    first: QrRead | None = None
    for attempt in _attempts(image):
        for barcode in zxingcpp.read_barcodes(attempt, formats=_QR_ONLY):
            found = QrRead(barcode.text, barcode.orientation)
            if read_qr_payload(found.text) is not None:
                return found
            first = first or found
        if first is not None:
            return first
    return None


def _attempts(image: Image.Image) -> Iterator[Image.Image]:
    """The picture itself, then its corners and halves enlarged, the top left first."""
    yield image
    width, height = image.size
    half_w, half_h = width // 2, height // 2
    for box in (
        (0, 0, half_w, half_h),
        (half_w, 0, width, half_h),
        (0, half_h, half_w, height),
        (half_w, half_h, width, height),
    ):
        yield _enlarge(image.crop(box))


def _enlarge(image: Image.Image) -> Image.Image:
    """Enlarged (at least twice), stretched to full contrast and sharpened: a blurred code
    of two pixels a module then reads."""
    scale = max(2.0, _ENLARGED_SIDE / max(image.size))
    size = (round(image.width * scale), round(image.height * scale))
    grey = image.convert("L").resize(size, Image.Resampling.BICUBIC)
    return ImageOps.autocontrast(grey).filter(ImageFilter.UnsharpMask(2, 150, 2))
