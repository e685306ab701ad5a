"""Reading the invoice's QR code with zxing-cpp, retrying on enlarged crops.

A photo taken from afar leaves the QR code a few pixels per module; zxing then
fails on the whole picture but reads an enlarged corner (invoices print it top left
or top right). A blurred code of about two pixels a module reads only once the
enlarged corner is thresholded against its neighbourhood, the last resort.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
import zxingcpp
from PIL import Image, ImageFilter, ImageOps

from invoicing_core.pdf.qr_payload import read_qr_payload

_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_ENLARGED_SIDE = 1600  # a crop is enlarged to at least this many pixels on its longer side
# Adaptive threshold of a corner enlarged twice: each pixel against the Gaussian mean of
# its 15 px neighbourhood less 5 (about three modules of a two-pixel code, doubled).
_THRESHOLD_BLOCK, _THRESHOLD_OFFSET = 15, 5


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


def _attempts(image: Image.Image) -> Iterator[Any]:
    """The picture itself, then its corners enlarged (the top left first), then thresholded."""
    yield image
    corners = _corners(image)
    yield from (_enlarge(corner) for corner in corners)
    yield from (_thresholded(corner) for corner in corners)


def _corners(image: Image.Image) -> list[Image.Image]:
    """The picture's four quarters: top left, top right, bottom left, bottom right."""
    width, height = image.size
    half_w, half_h = width // 2, height // 2
    boxes = [(0, 0, half_w, half_h), (half_w, 0, width, half_h)]
    boxes += [(0, half_h, half_w, height), (half_w, half_h, width, height)]
    return [image.crop(box) for box in boxes]


def _enlarge(image: Image.Image) -> Image.Image:
    """Enlarged (at least twice), stretched to full contrast and sharpened: a blurred code
    of two pixels a module then reads."""
    scale = max(2.0, _ENLARGED_SIDE / max(image.size))
    size = (round(image.width * scale), round(image.height * scale))
    grey = image.convert("L").resize(size, Image.Resampling.BICUBIC)
    return ImageOps.autocontrast(grey).filter(ImageFilter.UnsharpMask(2, 150, 2))


def _thresholded(image: Image.Image) -> Any:
    """Enlarged twice and made black and white by the neighbourhood of each pixel."""
    grey = np.asarray(image.convert("L"))
    doubled = cv2.resize(grey, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    return cv2.adaptiveThreshold(
        doubled,
        255,
        cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
        cv2.THRESH_BINARY,
        _THRESHOLD_BLOCK,
        _THRESHOLD_OFFSET,
    )
