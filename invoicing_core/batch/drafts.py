"""Turn the template's two tables into invoice drafts, reporting every bad row on the way.

Every rule is the domain's: rows become Party, InvoiceLine and a trial Invoice, and each
refusal becomes a row error. An invoice with any bad line is rejected whole.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from invoicing_core.batch import columns as C
from invoicing_core.batch.errors import BatchTooLarge
from invoicing_core.batch.invoice_input import head_from_texts
from invoicing_core.batch.line_input import line_from_texts
from invoicing_core.batch.result import BatchResult, InvoiceDraft, Problems, RowError
from invoicing_core.batch.table import Row, Table
from invoicing_core.batch.values import cell_text
from invoicing_core.domain.errors import InvalidInput
from invoicing_core.domain.line import InvoiceLine

_INVOICE_COLUMNS = {column.header: column for column in C.INVOICE_COLUMNS}
_LINE_COLUMNS = {column.header: column for column in C.LINE_COLUMNS}


@dataclass
class _Invoice:
    """An invoice row on its way to a draft, with its lines (None for a bad line)."""

    row: Row
    texts: dict[str, str]
    cell_problems: Problems
    rejected: bool = False
    lines: list[tuple[int, InvoiceLine | None]] = field(default_factory=list)


@dataclass
class _Report:
    """The errors found so far, each once, ordered by table and row when done."""

    invoices: Table
    lines: Table
    found: dict[RowError, int] = field(default_factory=dict)

    def add(self, table: Table, row: int, problems: Sequence[tuple[str | None, str]]) -> None:
        order = 0 if table is self.invoices else 1
        for column, message in problems:
            error = RowError(sheet=table.sheet, row=row, field=column, message=message)
            self.found.setdefault(error, order)

    def errors(self) -> tuple[RowError, ...]:
        return tuple(sorted(self.found, key=lambda error: (self.found[error], error.row)))


def build_drafts(
    invoices: Table, lines: Table, *, repeated: bool = False, max_invoices: int | None = None
) -> BatchResult:
    """Validate both tables and assemble the drafts of every invoice without errors.

    `repeated` is the CSV layout: one table where each line row repeats its invoice's
    columns; rows sharing a serial must then agree on those, instead of it being unique.
    More than `max_invoices` distinct serials raise BatchTooLarge.
    """
    report = _Report(invoices, lines)
    found = _invoice_rows(invoices, report, repeated=repeated)
    if max_invoices is not None and len(found) > max_invoices:
        raise BatchTooLarge(f"文件超过{max_invoices}张发票，请分成多个文件导入。")
    _attach_lines(lines, found, report)
    drafts = (_draft(serial, invoice, report) for serial, invoice in found.items())
    return BatchResult(tuple(draft for draft in drafts if draft is not None), report.errors())


def _invoice_rows(table: Table, report: _Report, *, repeated: bool) -> dict[str, _Invoice]:
    found: dict[str, _Invoice] = {}
    duplicates: dict[str, list[int]] = {}
    for row in table.rows:
        problems: Problems = []
        texts = _texts(row, _INVOICE_COLUMNS, problems)
        serial = _serial(texts, problems)
        if serial is None:
            report.add(table, row.number, problems)
        elif serial.startswith(C.EXAMPLE_PREFIX):
            continue
        elif serial not in found:
            found[serial] = _Invoice(row, texts, problems)
        elif repeated:
            _check_repeated(found[serial], row, texts, report)
        else:
            duplicates.setdefault(serial, [found[serial].row.number]).append(row.number)
    for serial, numbers in duplicates.items():
        found[serial].rejected = True
        message = f"发票流水号“{serial}”重复（第{_rows(numbers)}行），流水号须唯一。"
        for number in numbers:
            report.add(table, number, [(C.SERIAL, message)])
    return found


def _check_repeated(first: _Invoice, row: Row, texts: dict[str, str], report: _Report) -> None:
    """In the CSV layout, a later row of an invoice must repeat its invoice columns."""
    differing = [
        (header, f"与同一发票流水号的第{first.row.number}行不一致，同一张发票的{header}须相同。")
        for header in _INVOICE_COLUMNS
        if texts.get(header, "") != first.texts.get(header, "")
    ]
    if differing:
        first.rejected = True
        report.add(report.invoices, row.number, differing)


def _attach_lines(table: Table, found: dict[str, _Invoice], report: _Report) -> None:
    for row in table.rows:
        problems: Problems = []
        texts = _texts(row, _LINE_COLUMNS, problems)
        serial = _serial(texts, problems)
        if serial is not None and serial.startswith(C.EXAMPLE_PREFIX):
            continue
        invoice = found.get(serial) if serial is not None else None
        if serial is not None and invoice is None:
            sheet = report.invoices.sheet or C.INVOICE_SHEET
            problems.append((C.SERIAL, f"“{sheet}”中没有发票流水号“{serial}”。"))
        built = line_from_texts(texts)
        line = built if isinstance(built, InvoiceLine) else None
        if not isinstance(built, InvoiceLine):
            problems += _besides(built, problems)
        if invoice is not None:
            invoice.lines.append((row.number, None if problems else line))
        report.add(table, row.number, problems)


def _draft(serial: str, invoice: _Invoice, report: _Report) -> InvoiceDraft | None:
    if invoice.rejected:
        return None
    head = head_from_texts(invoice.texts)
    problems = invoice.cell_problems + (
        _besides(head, invoice.cell_problems) if isinstance(head, list) else []
    )
    if not problems:
        problems = _line_problems(invoice, report.lines)
    if not problems and not isinstance(head, list):
        lines = tuple(line for _, line in invoice.lines if line is not None)
        problems = head.check(lines)
        if not problems:
            return InvoiceDraft(
                serial=serial,
                kind=head.kind,
                buyer=head.buyer,
                lines=lines,
                remark=head.remark,
                sheet=report.invoices.sheet,
                row=invoice.row.number,
            )
    report.add(report.invoices, invoice.row.number, problems)
    return None


def _line_problems(invoice: _Invoice, lines: Table) -> Problems:
    where = f"“{lines.sheet}”" if lines.sheet else ""
    if not invoice.lines:
        return [(None, f"该发票在{where or '文件'}中没有明细行。")]
    bad = [number for number, line in invoice.lines if line is None]
    if bad:
        return [(None, f"明细行有误（{where}第{_rows(bad)}行），整张发票不开具。")]
    return []


def _texts(row: Row, columns: dict[str, C.Column], problems: Problems) -> dict[str, str]:
    texts: dict[str, str] = {}
    for header, column in columns.items():
        value = row.cells.get(header)
        if type(value) is str:  # nearly every cell: skip the general conversion
            texts[header] = value.strip()
            continue
        try:
            texts[header] = cell_text(value, column)
        except InvalidInput as error:
            problems.append((header, error.message))
    return texts


def _serial(texts: dict[str, str], problems: Problems) -> str | None:
    serial = texts.get(C.SERIAL, "")
    if len(serial) > C.MAX_SERIAL_LENGTH:
        problems.append((C.SERIAL, f"发票流水号不能超过{C.MAX_SERIAL_LENGTH}个字符。"))
        return None
    if not serial:
        if all(column != C.SERIAL for column, _ in problems):  # not already a bad cell
            problems.append((C.SERIAL, "请填写发票流水号。"))
        return None
    return serial


def _besides(new: Problems, known: Problems) -> Problems:
    """The new problems, leaving out columns already known to be bad."""
    bad_columns = {column for column, _ in known}
    return [(column, message) for column, message in new if column not in bad_columns]


def _rows(numbers: list[int], most: int = 10) -> str:
    shown = "、".join(str(number) for number in numbers[:most])
    return shown if len(numbers) <= most else f"{shown}等{len(numbers)}"
