"""The received-invoice ledger as an .xlsx workbook: one row per entry."""

import io
from collections.abc import Callable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.services.received_invoices import ReceiptView

SHEET_TITLE = "收票台账"
_MONEY_FORMAT = "0.00"
_TEXT_FORMAT = "@"

Text = str | None
# Per column: its header and how a row's value is read; money columns are numbers.
_COLUMNS: tuple[tuple[str, Callable[[ReceiptView], Text]], ...] = (
    ("发票种类", lambda v: v.receipt.invoice.kind.label),
    ("发票代码", lambda v: v.receipt.invoice.code),
    ("发票号码", lambda v: v.receipt.invoice.number),
    ("开票日期", lambda v: v.receipt.invoice.invoice_date.isoformat()),
    ("销售方名称", lambda v: v.receipt.invoice.seller_name),
    ("销售方纳税人识别号", lambda v: v.receipt.invoice.seller_tax_id),
    ("购买方名称", lambda v: v.receipt.invoice.buyer_name),
    ("购买方纳税人识别号", lambda v: v.receipt.invoice.buyer_tax_id),
)
_MONEY_COLUMNS = ("金额", "税额", "价税合计")
_TRAILING: tuple[tuple[str, Callable[[ReceiptView], Text]], ...] = (
    ("状态", lambda v: v.receipt.state.label),
    ("核验", lambda v: v.verification.message),
    ("录入人", lambda v: v.receipt.recorded.by_name),
    (
        "录入时间",
        lambda v: v.receipt.recorded.at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
    ),
)
HEADERS = (*[c[0] for c in _COLUMNS], *_MONEY_COLUMNS, *[c[0] for c in _TRAILING])


def ledger_workbook(views: Sequence[ReceiptView]) -> bytes:
    """The entries as the bytes of an .xlsx file (codes and numbers kept as text)."""
    book = Workbook(write_only=True)
    sheet: Worksheet = book.create_sheet(SHEET_TITLE)
    header = [WriteOnlyCell(sheet, value=title) for title in HEADERS]
    for cell in header:
        cell.font = Font(bold=True)
    sheet.append(header)
    for view in views:
        invoice = view.receipt.invoice
        row = [_text(sheet, read(view)) for _, read in _COLUMNS]
        row += [
            _money(sheet, value) for value in (invoice.amount, invoice.tax, invoice.total_with_tax)
        ]
        row += [_text(sheet, read(view)) for _, read in _TRAILING]
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _text(sheet: Worksheet, value: Text) -> Cell:
    cell = WriteOnlyCell(sheet, value=value or "")
    # Text read from an invoice is never a formula, even when it begins with "=".
    cell.data_type = "s"
    cell.number_format = _TEXT_FORMAT
    return cell


def _money(sheet: Worksheet, value: Decimal) -> Cell:
    # openpyxl writes a Decimal as a number; its type stubs leave Decimal out.
    cell = WriteOnlyCell(sheet, value=value)  # type: ignore[arg-type]
    cell.number_format = _MONEY_FORMAT
    return cell
