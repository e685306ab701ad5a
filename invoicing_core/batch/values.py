"""Reading cells as the template's text: kinds, 是/否 flags, and numbers typed as numbers."""

import unicodedata
from datetime import date, time, timedelta
from decimal import Decimal

from invoicing_core.batch.columns import Column
from invoicing_core.batch.table import CellValue, ErrorValue, Formula
from invoicing_core.domain.errors import InvalidInput
from invoicing_core.domain.kind import InvoiceKind

# Batch issuing is for digital invoices only (the tax bureau's template says so).
_KINDS = {
    InvoiceKind.DIGITAL_SPECIAL: (
        "digital_special",
        "数电专票",
        "专票",
        "增值税专用发票",
        "专用发票",
        "数电发票（增值税专用发票）",
        "电子发票（增值税专用发票）",
    ),
    InvoiceKind.DIGITAL_GENERAL: (
        "digital_general",
        "数电普票",
        "普票",
        "普通发票",
        "增值税普通发票",
        "数电发票（普通发票）",
        "电子发票（普通发票）",
    ),
}
KIND_CHOICES = ("数电专票", "数电普票")
_PAPER = ("paper_special", "paper_general", "纸质专票", "纸质普票")
_YES = ("是", "y", "yes", "true", "1", "含税", "已核实", "确认")
_NO = ("否", "n", "no", "false", "0", "不含税", "")
FLAG_CHOICES = ("是", "否")
_SAFE_INTEGER = 10**15


def _fold(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


_KIND_LOOKUP = {_fold(text): kind for kind, texts in _KINDS.items() for text in texts}


def parse_kind(text: str) -> InvoiceKind:
    """Read 发票类型: 数电专票/数电普票, the API values or the kinds' full names."""
    kind = _KIND_LOOKUP.get(_fold(text))
    if kind is not None:
        return kind
    if not text.strip():
        raise InvalidInput("请填写发票类型（数电专票或数电普票）。")
    if _fold(text) in _PAPER or "纸质" in text:
        raise InvalidInput("批量开具仅支持数电发票，纸质发票请逐张开具。")
    raise InvalidInput(f"发票类型“{text}”无效，可填：{'、'.join(KIND_CHOICES)}。")


def parse_flag(text: str, header: str) -> bool:
    """Read a 是/否 cell; an empty cell is 否."""
    folded = _fold(text)
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise InvalidInput(f"{header}只能填“是”或“否”，填的是“{text}”。")


def cell_text(value: CellValue, column: Column) -> str:
    """The cell as the text the template asks for; refuses what would be read wrongly.

    Numbers typed as numbers are accepted where digits survive (quantities, prices,
    rates), but not in identifier columns when Excel may have dropped digits.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, Formula):
        raise InvalidInput("不支持公式，请填写计算后的值（可“选择性粘贴为数值”）。")
    if isinstance(value, ErrorValue):
        raise InvalidInput(f"单元格是错误值{value.text}，请改正。")
    if isinstance(value, bool):
        if column.flag:
            return "是" if value else "否"
        raise InvalidInput("单元格是逻辑值（TRUE/FALSE），请填写文本。")
    if isinstance(value, date | time | timedelta):
        raise InvalidInput("单元格被识别为日期或时间，请将该列设为文本格式后重新填写。")
    return _number_text(value, column)


def _number_text(value: int | float, column: Column) -> str:
    # Python's shortest round-trip repr gives back the decimal the user typed.
    number = Decimal(value) if isinstance(value, int) else Decimal(repr(value))
    if not column.identifier:
        return format(number, "f")
    # Excel keeps 15 significant digits: a longer number has already been rounded.
    exact = number.is_finite() and abs(number) < _SAFE_INTEGER and number == int(number)
    if not exact:
        raise InvalidInput(
            f"{column.header}被存成了数字，可能已丢失位数，请将该列设为文本格式后重新填写。"
        )
    return str(int(number))
