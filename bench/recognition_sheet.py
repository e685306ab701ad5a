"""A sheet of paper to draw an invoice on with Pillow, in millimetres, and its QR code."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

# Debian's fonts-wqy-microhei, else the same font from the PyPI package the product uses.
DEBIAN_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
PROPORTIONAL, MONOSPACED = 0, 1  # the collection's two faces

Colour = tuple[int, int, int] | tuple[int, int, int, int]
BLACK: Colour = (20, 20, 25)


def font_path() -> str:
    """The WenQuanYi Micro Hei collection: the Debian font, else the PyPI package's."""
    if DEBIAN_FONT.exists():
        return str(DEBIAN_FONT)
    return str(files("paperang_p2_fonts_cjk").joinpath("fonts/wqy-microhei.ttc"))


@cache
def font(size_px: int, face: int = PROPORTIONAL) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(), size_px, index=face)


class Sheet:
    """A page `width` × `height` mm at `ppm` pixels per mm; positions and sizes in mm."""

    def __init__(self, width: float, height: float, ppm: float, paper: Colour) -> None:
        self.ppm = ppm
        self.image = Image.new("RGB", (self.px(width), self.px(height)), paper[:3])
        self.draw = ImageDraw.Draw(self.image, "RGBA")

    def px(self, mm: float) -> int:
        return round(mm * self.ppm)

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        fill: Colour = BLACK,
        anchor: str = "lm",
        face: int = PROPORTIONAL,
        width: float | None = None,
    ) -> None:
        """Write `text` (`size` mm high) anchored at (x, y); shrink it to fit `width` mm."""
        if not text:
            return
        size_px = max(6, self.px(size))
        if width is not None:
            while size_px > 8 and font(size_px, face).getlength(text) > self.px(width):
                size_px -= 1
        self.draw.text(
            (self.px(x), self.px(y)), text, font=font(size_px, face), fill=fill, anchor=anchor
        )

    def line(
        self, x1: float, y1: float, x2: float, y2: float, colour: Colour, w: float = 0.25
    ) -> None:
        self.draw.line(
            (self.px(x1), self.px(y1), self.px(x2), self.px(y2)),
            fill=colour,
            width=max(1, self.px(w)),
        )

    def rect(
        self, x1: float, y1: float, x2: float, y2: float, colour: Colour, w: float = 0.3
    ) -> None:
        box = (self.px(x1), self.px(y1), self.px(x2), self.px(y2))
        self.draw.rectangle(box, outline=colour, width=max(1, self.px(w)))

    def vertical(self, x: float, top: float, bottom: float, label: str, colour: Colour) -> None:
        """A label written top to bottom, centred at x between top and bottom."""
        step = (bottom - top) / (len(label) + 1)
        for index, char in enumerate(label, 1):
            self.text(x, top + index * step, char, 3.0, fill=colour, anchor="mm")

    def oval_stamp(
        self, cx: float, cy: float, rx: float, ry: float, texts: list[tuple[str, float, float]]
    ) -> None:
        """A red oval seal with texts (text, y offset from centre in mm, size in mm)."""
        red: Colour = (214, 40, 40, 150)
        box = (self.px(cx - rx), self.px(cy - ry), self.px(cx + rx), self.px(cy + ry))
        self.draw.ellipse(box, outline=red, width=max(2, self.px(0.6)))
        for text, dy, size in texts:
            self.text(cx, cy + dy, text, size, fill=red, anchor="mm", width=2 * rx - 4)

    def qr(
        self, payload: str, x: float, y: float, size: float
    ) -> tuple[float, float, float, float]:
        """Draw a QR code (quiet zone included) in the `size` mm square at (x, y); its box."""
        matrix = segno.make(payload, error="m", micro=False).matrix
        count = len(matrix)
        module = max(1, self.px(size) // (count + 8))
        left, top = self.px(x) + 4 * module, self.px(y) + 4 * module
        for row, cells in enumerate(matrix):
            for col, dark in enumerate(cells):
                if dark:
                    x0, y0 = left + col * module, top + row * module
                    self.draw.rectangle((x0, y0, x0 + module - 1, y0 + module - 1), fill=(0, 0, 0))
        return (x, y, x + size, y + size)
