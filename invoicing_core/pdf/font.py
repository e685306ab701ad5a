"""The CJK font embedded in every invoice PDF, shipped by a PyPI package (no system font)."""

from functools import cache
from importlib.resources import files

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WenQuanYiMicroHei"

# WenQuanYi Micro Hei 0.2.0-beta (Apache-2.0, per the font's own name table), shipped
# by the PyPI package paperang-p2-fonts-cjk. It has TrueType outlines, which
# reportlab's TTFont needs (it cannot embed the CFF outlines of Noto/Source Han CJK).
_FONT_PACKAGE = "paperang_p2_fonts_cjk"
_FONT_FILE = "fonts/wqy-microhei.ttc"
_PROPORTIONAL_FACE = 0  # the collection's second face is the monospaced variant


@cache
def invoice_font() -> str:
    """Register the invoice font with reportlab once and return its name."""
    try:
        path = files(_FONT_PACKAGE).joinpath(_FONT_FILE)
    except ModuleNotFoundError as error:
        raise RuntimeError(
            "the invoice font is missing: install paperang-p2-fonts-cjk (see requirements.lock)"
        ) from error
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=_PROPORTIONAL_FACE))
    return FONT_NAME
