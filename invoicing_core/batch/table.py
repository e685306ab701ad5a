"""A sheet as read from either file type: numbered rows of cells keyed by column header."""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from invoicing_core.batch.columns import SERIAL, Column, header_lookup, normalise_header
from invoicing_core.batch.errors import BatchTemplateMismatch, BatchTooLarge

# The header may sit below a title or notes; it is looked for in the first rows only.
HEADER_SEARCH_ROWS = 10


@dataclass(frozen=True)
class Formula:
    """A cell holding a formula rather than a value."""

    text: str


@dataclass(frozen=True)
class ErrorValue:
    """A cell holding a spreadsheet error such as #DIV/0!."""

    text: str


CellValue = (
    str | int | float | bool | datetime | date | time | timedelta | Formula | ErrorValue | None
)


@dataclass(frozen=True)
class Row:
    """One non-blank row: its number as the spreadsheet shows it, and its cells by header."""

    number: int
    cells: dict[str, CellValue]


@dataclass
class Table:
    """The rows of one sheet (or of the CSV file) below its header.

    `sheet` is the name errors point to; None for a CSV file, which has no sheets.
    """

    sheet: str | None
    rows: list[Row] = field(default_factory=list)


def read_table(
    sheet: str | None,
    label: str,
    rows: Iterable[Sequence[CellValue]],
    columns: tuple[Column, ...],
    *,
    limit: int,
    unit: str,
) -> Table:
    """Find the header among the first rows, then keep every non-blank row below it.

    Raises BatchTemplateMismatch without a header and BatchTooLarge past `limit` rows.
    """
    numbered = enumerate(rows, 1)
    headers = _find_headers(numbered, columns, label)
    table = Table(sheet)
    for number, values in numbered:
        cells = {
            column.header: values[index] if index < len(values) else None
            for index, column in headers.items()
        }
        if all(_blank(value) for value in cells.values()):
            continue
        if len(table.rows) == limit:
            raise BatchTooLarge(f"“{label}”超过{limit}{unit}，请分成多个文件导入。")
        table.rows.append(Row(number, cells))
    return table


def _find_headers(
    numbered: Iterator[tuple[int, Sequence[CellValue]]], columns: tuple[Column, ...], label: str
) -> dict[int, Column]:
    lookup = header_lookup(columns)
    serial = normalise_header(SERIAL)
    for number, values in numbered:
        texts = [normalise_header(value) if isinstance(value, str) else "" for value in values]
        if serial in texts:
            return _map_headers(texts, lookup, columns, label)
        if number >= HEADER_SEARCH_ROWS:
            break
    raise BatchTemplateMismatch(
        f"“{label}”的前{HEADER_SEARCH_ROWS}行中找不到表头“{SERIAL}”，请使用批量开票模板。"
    )


def _map_headers(
    texts: list[str], lookup: dict[str, Column], columns: tuple[Column, ...], label: str
) -> dict[int, Column]:
    found: dict[int, Column] = {}
    for index, text in enumerate(texts):
        column = lookup.get(text)
        if column is None:
            continue  # extra columns are left alone
        if column in found.values():
            raise BatchTemplateMismatch(f"“{label}”的表头“{column.header}”出现了两次。")
        found[index] = column
    missing = [c.header for c in columns if c.required and c not in found.values()]
    if missing:
        raise BatchTemplateMismatch(
            f"“{label}”缺少表头：{'、'.join(missing)}。请使用批量开票模板，不要删除或改名表头。"
        )
    return found


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())
