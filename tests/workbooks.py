"""An .xlsx workbook of one sheet, made in memory, for tests that upload spreadsheets."""

from __future__ import annotations

import io

from openpyxl import Workbook


def workbook(rows: list[list[object]]) -> bytes:
    """The rows as the bytes of an .xlsx file."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
