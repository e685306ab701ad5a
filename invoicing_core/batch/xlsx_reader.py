"""Read the template's two sheets from an .xlsx workbook, streaming (openpyxl read-only)."""

import io
import warnings
import zipfile
from collections.abc import Iterator, Sequence
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from invoicing_core.batch import columns as C
from invoicing_core.batch.errors import (
    BatchFileError,
    BatchTemplateMismatch,
    BatchTooLarge,
    MalformedBatchFile,
)
from invoicing_core.batch.table import CellValue, ErrorValue, Formula, Table, read_table

MALFORMED = "无法读取该 Excel 文件，文件可能已损坏；请用 Excel 打开后另存为 .xlsx 再导入。"


def read_xlsx(
    data: bytes, *, max_invoices: int, max_lines: int, max_unpacked_bytes: int
) -> tuple[Table, Table]:
    """The 发票基本信息 and 发票明细信息 tables of a workbook."""
    _check_archive(data, max_unpacked_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl fails on broken files in many ways
        raise MalformedBatchFile(MALFORMED) from error
    try:
        invoice_sheet, line_sheet = _template_sheets(workbook)
        invoices = _table(invoice_sheet, C.INVOICE_COLUMNS, max_invoices, "张发票")
        lines = _table(line_sheet, C.LINE_COLUMNS, max_lines, "行明细")
    except BatchFileError:
        raise
    except Exception as error:  # the XML is parsed lazily, row by row
        raise MalformedBatchFile(MALFORMED) from error
    finally:
        workbook.close()
    return invoices, lines


def _check_archive(data: bytes, max_unpacked_bytes: int) -> None:
    """Refuse a zip that is broken, or that would unpack to more than a batch needs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(entry.file_size for entry in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as error:
        raise MalformedBatchFile(MALFORMED) from error
    if unpacked > max_unpacked_bytes:
        raise BatchTooLarge(
            f"该 Excel 文件解压后超过{max_unpacked_bytes // 2**20}MB，请分成多个文件导入。"
        )


def _template_sheets(workbook: Workbook) -> tuple[Any, Any]:
    """Find the two sheets by name (`1-发票基本信息` and the like also match).

    A workbook whose sheets carry none of the template's names (Sheet1, Sheet2) is read
    by position instead; the header check then tells whether it really is the template.
    """
    sheets: list[Any] = list(workbook.worksheets)
    by_name = {C.normalise_sheet_name(sheet.title): sheet for sheet in sheets}
    wanted = (C.INVOICE_SHEET, C.LINE_SHEET)
    found = [next((by_name[n] for n in C.SHEET_ALIASES[w] if n in by_name), None) for w in wanted]
    if found == [None, None]:
        data_sheets = [sheet for sheet in sheets if sheet.title.strip() != C.GUIDE_SHEET]
        found = [*data_sheets, None, None][:2]
    missing = [name for name, sheet in zip(wanted, found, strict=True) if sheet is None]
    if missing:
        raise BatchTemplateMismatch(
            f"Excel 文件缺少工作表“{'”“'.join(missing)}”，请使用批量开票模板。"
        )
    return found[0], found[1]


def _table(sheet: Any, columns: tuple[C.Column, ...], limit: int, unit: str) -> Table:
    return read_table(sheet.title, sheet.title, _values(sheet), columns, limit=limit, unit=unit)


def _values(sheet: Any) -> Iterator[Sequence[CellValue]]:
    """Each row's cell values in order, gaps included, formulas and errors marked."""
    sheet.reset_dimensions()  # trust the rows themselves, not the file's stated size
    for row in sheet.iter_rows(min_row=1):
        yield [_value(cell.value, cell.data_type) for cell in row]


def _value(value: object, data_type: str) -> CellValue:
    if data_type == "f":
        return Formula(str(value))
    if data_type == "e":
        return ErrorValue(str(value))
    return value  # type: ignore[return-value]
