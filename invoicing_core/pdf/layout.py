"""The invoice's geometry, after the digital invoice's 240 mm × 140 mm landscape page."""

from dataclasses import dataclass

from reportlab.lib.colors import Color
from reportlab.lib.units import mm

from invoicing_core.domain.kind import InvoiceKind

PAGE_WIDTH = 240 * mm
PAGE_HEIGHT = 140 * mm

# The ruled box holding parties, lines, totals and remark.
LEFT = 8 * mm
RIGHT = 232 * mm
MIDDLE = 120 * mm
BOX_TOP = 104 * mm
PARTIES_BOTTOM = 84 * mm
HEADER_BOTTOM = 78 * mm
LINES_BOTTOM = 44 * mm
TOTAL_BOTTOM = 38 * mm
PRICE_TAX_BOTTOM = 30 * mm
BOX_BOTTOM = 14 * mm
# Pages before the last fill their box with lines down to here, above "（续下页）".
CONTINUED_BOTTOM = 19 * mm
SIDE_LABEL_WIDTH = 6 * mm

QR_SIZE = 24 * mm
QR_LEFT = 10 * mm
QR_BOTTOM = 110 * mm

LINE_FONT_SIZE = 8.0
LINE_LEADING = 3.6 * mm
ROW_PADDING = 1.2 * mm
MOST_LINES_PER_CELL = 6

# The frame and labels print in the invoice's brown-red; the red-letter mark in red.
FRAME_COLOR = Color(0.62, 0.24, 0.18)
NEGATIVE_COLOR = Color(0.86, 0.0, 0.0)

TITLES = {
    InvoiceKind.DIGITAL_SPECIAL: "电子发票（增值税专用发票）",
    InvoiceKind.DIGITAL_GENERAL: "电子发票（普通发票）",
    InvoiceKind.PAPER_SPECIAL: "增值税专用发票",
    InvoiceKind.PAPER_GENERAL: "增值税普通发票",
}


@dataclass(frozen=True)
class Column:
    """One column of the line table: its heading, width and text alignment."""

    heading: str
    width: float
    align: str  # "left", "centre" or "right"


COLUMNS = (
    Column("项目名称", 64 * mm, "left"),
    Column("规格型号", 22 * mm, "left"),
    Column("单位", 12 * mm, "centre"),
    Column("数量", 20 * mm, "right"),
    Column("单价", 26 * mm, "right"),
    Column("金额", 28 * mm, "right"),
    Column("税率/征收率", 24 * mm, "centre"),
    Column("税额", 28 * mm, "right"),
)
AMOUNT_COLUMN = 5
TAX_COLUMN = 7


def column_left(index: int) -> float:
    """The x position where column `index` starts."""
    return LEFT + sum(column.width for column in COLUMNS[:index])
