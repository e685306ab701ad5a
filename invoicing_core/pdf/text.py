"""Text as the invoice prints it: item titles, plain numbers and CJK line wrapping."""

from collections.abc import Mapping
from decimal import Decimal

from reportlab.pdfbase.pdfmetrics import stringWidth

from invoicing_core.domain.line import InvoiceLine

ELLIPSIS = "…"
# Chinese typesetting never starts a line with closing punctuation (行首禁则).
_NO_LINE_START = "，。、；：？！）》」』】〕,.;:?!)]}"


def item_title(line: InvoiceLine, short_names: Mapping[str, str]) -> str:
    """The 项目名称 as printed: `*简称*名称` when a short name is known, else the name.

    `short_names` maps tax classification codes, or code prefixes (the catalogue is a
    hierarchy), to their short names; the longest matching prefix wins. A name the
    user already entered as `*简称*名称` is printed as it is.
    """
    if line.name.startswith("*") and line.name.count("*") >= 2:
        return line.name
    code = line.tax_code or ""
    for end in range(len(code), 0, -1):
        short = short_names.get(code[:end])
        if short:
            return f"*{short}*{line.name}"
    return line.name


def plain_number(value: Decimal | None) -> str:
    """A quantity or unit price without exponent or trailing zeros ("2", "88.49557522")."""
    if value is None:
        return ""
    return format(value.normalize(), "f")


def wrap(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width`, between any two characters.

    Chinese has no spaces to break at, so every character boundary is a break point.
    """
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for char in paragraph:
            if current and stringWidth(current + char, font, size) > width:
                carried = current[-1] if char in _NO_LINE_START and len(current) > 1 else ""
                lines.append(current[: len(current) - len(carried)])
                current = carried + char
            else:
                current += char
        lines.append(current)
    return lines


def clamp(lines: list[str], most: int) -> list[str]:
    """Keep at most `most` lines, marking the cut with an ellipsis."""
    if len(lines) <= most:
        return lines
    kept = lines[:most]
    kept[-1] = kept[-1][:-1] + ELLIPSIS
    return kept


def fit(
    text: str, font: str, width: float, *, size: float, smallest: float, most: int
) -> tuple[float, list[str]]:
    """Shrink text down to `smallest` to fit one line, else wrap it into `most` lines."""
    while size > smallest and stringWidth(text, font, size) > width:
        size -= 0.5
    return size, clamp(wrap(text, font, size, width), most)
