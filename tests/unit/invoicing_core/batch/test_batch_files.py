import io
import zipfile
from collections.abc import Callable

import pytest
from openpyxl import load_workbook

from invoicing_core.batch import (
    BatchFileError,
    BatchResult,
    BatchTemplateMismatch,
    BatchTooLarge,
    MalformedBatchFile,
    UnsupportedBatchFile,
    parse_batch,
    write_batch_template,
)
from invoicing_core.batch import columns as C
from invoicing_core.batch.csv_reader import CSV_COLUMNS
from invoicing_core.domain.errors import DomainError

MakeRow = Callable[..., list[object]]
MakeFile = Callable[..., bytes]
MakeCsvRows = Callable[..., list[list[object]]]
Parse = Callable[[list[list[object]], list[list[object]]], BatchResult]


def assert_refused(data: bytes, filename: str, error: type[BatchFileError], **limits: int) -> None:
    with pytest.raises(error) as raised:
        parse_batch(data, filename, **limits)
    assert isinstance(raised.value, DomainError)
    assert raised.value.code == error.code and raised.value.field == "file"
    assert any("\u4e00" <= char <= "\u9fff" for char in raised.value.message)


@pytest.mark.parametrize(
    ("data", "filename", "error"),
    [
        (b"%PDF-1.7\n...", "scan.pdf", UnsupportedBatchFile),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "old.xls", UnsupportedBatchFile),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "renamed.xlsx", UnsupportedBatchFile),
        (b"just some text", "notes.txt", UnsupportedBatchFile),
        (b"%PDF-1.7\n...", "fake.xlsx", MalformedBatchFile),
        (b"PK\x03\x04 truncated", "broken.xlsx", MalformedBatchFile),
        (b"", "empty.xlsx", MalformedBatchFile),
        (b"PK\x03\x04\x14\x00" + bytes(40), "a.csv", MalformedBatchFile),
        ("发票流水号".encode("utf-16"), "utf16.csv", MalformedBatchFile),
        (b"", "empty.csv", BatchTemplateMismatch),
    ],
)
def test_files_that_are_not_the_template_are_refused_with_a_code(
    data: bytes, filename: str, error: type[BatchFileError]
) -> None:
    assert_refused(data, filename, error)


def test_a_zip_that_is_no_workbook_is_malformed() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert_refused(buffer.getvalue(), "x.xlsx", MalformedBatchFile)


def test_a_workbook_cut_short_is_malformed(
    xlsx_file: MakeFile, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    data = xlsx_file([invoice_row()], [line_row()])
    assert_refused(data[: len(data) // 2], "x.xlsx", MalformedBatchFile)


def test_an_archive_unpacking_to_too_much_is_refused(
    xlsx_file: MakeFile, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    data = xlsx_file([invoice_row()], [line_row()])
    assert_refused(data, "x.xlsx", BatchTooLarge, max_unpacked_bytes=1000)


def test_too_many_invoices_or_lines_are_refused(
    xlsx_file: MakeFile,
    csv_file: MakeFile,
    csv_rows: MakeCsvRows,
    invoice_row: MakeRow,
    line_row: MakeRow,
) -> None:
    invoices = [invoice_row(f"FP{n}") for n in range(3)]
    lines = [line_row(f"FP{n}") for n in range(3)] * 2
    data = xlsx_file(invoices, lines)
    assert_refused(data, "x.xlsx", BatchTooLarge, max_invoices=2)
    assert_refused(data, "x.xlsx", BatchTooLarge, max_lines=5)
    assert len(parse_batch(data, "x.xlsx", max_invoices=3, max_lines=6).drafts) == 3
    text = csv_file(csv_rows(invoices, lines))
    assert_refused(text, "x.csv", BatchTooLarge, max_invoices=2)
    assert_refused(text, "x.csv", BatchTooLarge, max_lines=5)


def test_a_missing_sheet_is_refused(xlsx_file: MakeFile, invoice_row: MakeRow) -> None:
    data = xlsx_file([invoice_row()], [], sheet_names=(C.INVOICE_SHEET, "其他"))
    with pytest.raises(BatchTemplateMismatch, match=C.LINE_SHEET):
        parse_batch(data, "x.xlsx")


def test_a_missing_or_repeated_header_is_refused(
    xlsx_file: MakeFile, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    headers = [column.header for column in C.LINE_COLUMNS]
    without_rate = [header if header != C.TAX_RATE else "税" for header in headers]
    data = xlsx_file([invoice_row()], [line_row()], line_headers=without_rate)
    with pytest.raises(BatchTemplateMismatch, match="缺少表头：税率"):
        parse_batch(data, "x.xlsx")
    twice = [*headers[:-1], C.UNIT]
    with pytest.raises(BatchTemplateMismatch, match="出现了两次"):
        parse_batch(xlsx_file([invoice_row()], [line_row()], line_headers=twice), "x.xlsx")
    no_serial = ["编号", *headers[1:]]
    with pytest.raises(BatchTemplateMismatch, match="找不到表头"):
        parse_batch(xlsx_file([invoice_row()], [line_row()], line_headers=no_serial), "x.xlsx")


def test_header_variants_numbered_sheets_and_extra_columns_are_accepted(
    xlsx_file: MakeFile, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    headers = [column.header for column in C.INVOICE_COLUMNS]
    marked = [f"*{headers[0]}（必填）", *headers[1:6], "开户行", *headers[7:-1]]
    data = xlsx_file(
        [[*invoice_row()[:-1], "多余的列"]],
        [line_row()],
        invoice_headers=[*marked, "内部编号"],
        sheet_names=("1-发票基本信息", "2-发票明细信息"),
    )
    result = parse_batch(data, "x.xlsx")
    assert result.errors == () and result.drafts[0].buyer.bank == "招商银行上海分行"
    assert result.drafts[0].sheet == "1-发票基本信息"


def test_unnamed_sheets_are_read_by_position(
    xlsx_file: MakeFile, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    data = xlsx_file([invoice_row()], [line_row()], sheet_names=("Sheet1", "Sheet2"))
    (draft,) = parse_batch(data, "x.xlsx").drafts
    assert draft.sheet == "Sheet1"


def test_a_title_above_the_header_keeps_excel_row_numbers(invoice_row: MakeRow) -> None:
    data = write_batch_template()
    workbook = load_workbook(io.BytesIO(data))
    sheet = workbook[C.INVOICE_SHEET]
    sheet.insert_rows(1)
    sheet["A1"] = "2026年3月批量开票"
    sheet.append(invoice_row("FP001", kind="纸质普票"))
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = parse_batch(buffer.getvalue(), "x.xlsx")
    assert [(error.row, error.field) for error in result.errors] == [(4, C.KIND)]


def test_the_template_has_both_sheets_headers_an_example_and_a_guide() -> None:
    workbook = load_workbook(io.BytesIO(write_batch_template()))
    assert workbook.sheetnames == [C.INVOICE_SHEET, C.LINE_SHEET, C.GUIDE_SHEET]
    invoices, lines = workbook[C.INVOICE_SHEET], workbook[C.LINE_SHEET]
    assert [cell.value for cell in invoices[1]] == [c.header for c in C.INVOICE_COLUMNS]
    assert [cell.value for cell in lines[1]] == [c.header for c in C.LINE_COLUMNS]
    assert invoices["A2"].value == lines["A2"].value == "示例0001"
    assert invoices.max_row == lines.max_row == 2
    assert all(cell.number_format == "@" for cell in invoices[2])
    guide = " ".join(str(c.value) for row in workbook[C.GUIDE_SHEET].iter_rows() for c in row)
    assert "数电专票" in guide and "示例" in guide and "CSV" in guide


def test_the_template_parses_as_is_and_once_filled_in() -> None:
    data = write_batch_template()
    assert parse_batch(data, "模板.xlsx") == BatchResult((), ())
    workbook = load_workbook(io.BytesIO(data))
    for sheet in (C.INVOICE_SHEET, C.LINE_SHEET):
        workbook[sheet]["A2"] = "HT-001"
    buffer = io.BytesIO()
    workbook.save(buffer)
    (draft,) = parse_batch(buffer.getvalue(), "模板.xlsx").drafts
    assert draft.serial == "HT-001" and draft.lines[0].amount == 1000


def test_csv_and_xlsx_of_the_same_batch_give_the_same_drafts(
    xlsx_file: MakeFile,
    csv_file: MakeFile,
    csv_rows: MakeCsvRows,
    invoice_row: MakeRow,
    line_row: MakeRow,
) -> None:
    invoices = [
        invoice_row("FP001"),
        invoice_row("FP002", kind="数电普票", tax_id="", buyer_name="张三", remark="第二张"),
        invoice_row("FP003", kind="数电普票", buyer_name=""),
    ]
    lines = [
        line_row("FP001"),
        line_row("FP002", amount="300", quantity="", unit_price="", tax_rate="免税"),
        line_row("FP001", name="软件", quantity="3", unit_price="33.33", included="是"),
        line_row("FP003"),
    ]
    from_xlsx = parse_batch(xlsx_file(invoices, lines), "b.xlsx")
    for encoding in ("utf-8-sig", "utf-8", "gb18030"):
        from_csv = parse_batch(csv_file(csv_rows(invoices, lines), encoding=encoding), "b.csv")
        assert [_content(d) for d in from_csv.drafts] == [_content(d) for d in from_xlsx.drafts]
        assert [(e.field, e.message) for e in from_csv.errors] == [
            (e.field, e.message) for e in from_xlsx.errors
        ]
        assert all(error.sheet is None for error in from_csv.errors)
    assert [d.serial for d in from_xlsx.drafts] == ["FP001", "FP002"]


def _content(draft: object) -> tuple[object, ...]:
    return tuple(getattr(draft, name) for name in ("serial", "kind", "buyer", "lines", "remark"))


def test_csv_rows_of_one_invoice_must_repeat_its_columns(
    csv_file: MakeFile, csv_rows: MakeCsvRows, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    rows = csv_rows([invoice_row()], [line_row(), line_row(name="软件")])
    rows[1][2] = "另一家公司"
    result = parse_batch(csv_file(rows), "b.csv")
    assert result.drafts == ()
    ((sheet, row, field),) = [(e.sheet, e.row, e.field) for e in result.errors]
    assert (sheet, row, field) == (None, 3, C.BUYER_NAME)


def test_csv_header_lists_every_column_once() -> None:
    headers = [column.header for column in CSV_COLUMNS]
    assert headers.count(C.SERIAL) == 1
    assert set(headers) == {c.header for c in C.INVOICE_COLUMNS + C.LINE_COLUMNS}


def test_csv_with_broken_quoting_is_malformed(csv_file: MakeFile) -> None:
    data = csv_file([]) + '"FP001,"数电专票\n'.encode()
    assert_refused(data, "b.csv", MalformedBatchFile)
