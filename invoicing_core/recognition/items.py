"""The line table: columns found by their headings, rows between the headings and 合计.

A row with an amount starts an item; a row without one continues the item above
(a name wrapped onto a second line).
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from invoicing_core.recognition import values
from invoicing_core.recognition.reading import Cell, Reading
from invoicing_core.recognition.text_lines import TextLine, rows_of

# Column headings, as the digital and the old paper invoice print them; a two-character
# heading read with its second character wrong (金级, 税膜) still names its column, and
# only the rate's heading holds 率 (税率/征收率 read 桂率/吸收率). The first match wins.
_HEADINGS = (
    ("name", re.compile(r"项目名称|货物或应税劳务|服务名称")),
    ("spec", re.compile(r"规格型号|规格")),
    ("unit", re.compile(r"^单位$|^单位")),
    ("quantity", re.compile(r"数量|^.量$")),
    ("unit_price", re.compile(r"单价|^.价$")),
    ("amount", re.compile(r"^金额|^金.?$")),
    ("rate", re.compile(r"率")),
    ("tax", re.compile(r"^税额|^税.$")),
)
# Where the table ends on a page without a 合计 row (a page continued on the next).
_END = re.compile(r"开票人|续下页|价税合计|^备注|第[0-9]+页")
_YUAN = re.compile(r"[¥￥]")
_TAX_CATEGORY = re.compile(r"^[*＊※]([^*＊※]+)[*＊※](.*)$", re.DOTALL)
_READERS: dict[str, Callable[[str], str | None]] = {
    "quantity": values.plain,
    "unit_price": values.plain,
    "amount": values.money,
    "rate": values.rate,
    "tax": values.money,
}


@dataclass(frozen=True)
class _Column:
    name: str
    centre: float  # of its heading


def read_items(lines: Sequence[TextLine], reading: Reading, *, bottom: float | None) -> None:
    """Append the items of one page's table (ending above `bottom`) to the reading."""
    columns, heading_bottom = _columns(lines)
    if "name" not in {c.name for c in columns} or "amount" not in {c.name for c in columns}:
        return
    body = [
        line
        for line in lines
        if line.middle > heading_bottom and (bottom is None or line.middle < bottom)
    ]
    items: list[dict[str, list[TextLine]]] = []
    for row in rows_of(body):
        if any(_END.search(line.key) for line in row):
            break
        cells = _cells(row, columns)
        if "amount" in cells and _YUAN.search(_text(cells["amount"])):
            break  # the 合计 row, its label unread: totals print ¥, items do not
        if "amount" in cells and values.money(_text(cells["amount"])) is not None:
            items.append(cells)
        elif items and "name" in cells:
            for name, parts in cells.items():
                items[-1].setdefault(name, []).extend(parts)
    reading.lines.extend(_item(cells) for cells in items)


def _columns(lines: Sequence[TextLine]) -> tuple[list[_Column], float]:
    """The table's columns (by their headings' centres) and where the rows begin."""
    for row in rows_of(lines):
        found: dict[str, TextLine] = {}
        for line in row:
            for name, pattern in _HEADINGS:
                if name not in found and pattern.search(line.key):
                    found[name] = line
                    break
        centres = {name: line.centre for name, line in found.items()}
        _infer_money_columns(centres)
        if "name" in centres and "amount" in centres:
            columns = [_Column(name, centre) for name, centre in centres.items()]
            # Rows begin a quarter line above the headings' lowest bottom: a photo's slant
            # leaves the first row's middle not far below the last heading's bottom.
            below = (
                max(h.middle + h.height / 2 for h in found.values())
                - min(h.height for h in found.values()) / 4
            )
            return columns, below
    return [], 0.0


def _infer_money_columns(centres: dict[str, float]) -> None:
    """Place the amount and tax columns whose headings were misread from their neighbours:
    amount lies between unit price and rate, tax as far right of rate as amount is left."""
    if "amount" not in centres and "unit_price" in centres and "rate" in centres:
        centres["amount"] = (centres["unit_price"] + centres["rate"]) / 2
    if "tax" not in centres and "amount" in centres and "rate" in centres:
        centres["tax"] = 2 * centres["rate"] - centres["amount"]


def _cells(row: Sequence[TextLine], columns: Sequence[_Column]) -> dict[str, list[TextLine]]:
    """Each text under the heading nearest its centre (cells align left, centre or right,
    but a cell's centre stays nearer its own heading than the neighbour's)."""
    cells: dict[str, list[TextLine]] = {}
    for line in row:
        column = min(columns, key=lambda c: abs(line.centre - c.centre))
        cells.setdefault(column.name, []).append(line)
    return cells


def _text(parts: Sequence[TextLine]) -> str:
    return "".join(part.text.strip() for part in parts)


def _item(cells: dict[str, list[TextLine]]) -> dict[str, Cell]:
    item: dict[str, Cell] = {}
    for name, parts in cells.items():
        confidence = min(part.confidence for part in parts)
        text = _text(parts)
        if name == "name":
            _name(item, text, confidence)
        elif name in _READERS:
            value = _READERS[name](text)
            if value is not None:
                item[name] = Cell(value, confidence)
    rate = item.get("rate")
    tax_text = _text(cells.get("tax", []))
    if "tax" not in item and rate is not None and not rate.value[0].isdigit() and "*" in tax_text:
        item["tax"] = Cell("0.00", rate.confidence)  # exempt and non-taxable lines print ***
    return item


def _name(item: dict[str, Cell], text: str, confidence: float) -> None:
    found = _TAX_CATEGORY.match(text)
    if found is not None:
        item["tax_category"] = Cell(found.group(1).strip(), confidence)
        item["name"] = Cell(found.group(2).strip(), confidence)
    elif text:
        item["name"] = Cell(text, confidence)
