"""Builders of batch files: .xlsx through openpyxl or as Excel writes it, and CSV."""

import csv
import io
import zipfile
from collections.abc import Sequence
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook

from invoicing_core.batch import BatchResult, parse_batch
from invoicing_core.batch import columns as C
from invoicing_core.batch.csv_reader import CSV_COLUMNS

INVOICE_HEADERS = [column.header for column in C.INVOICE_COLUMNS]
LINE_HEADERS = [column.header for column in C.LINE_COLUMNS]
CSV_HEADERS = [column.header for column in CSV_COLUMNS]

Cells = Sequence[object]


def invoice_row(serial: str = "FP001", **cells: str) -> list[object]:
    """A good invoice row (a special invoice to a valid buyer); keyword cells override."""
    values: dict[str, object] = {
        C.SERIAL: serial,
        C.KIND: "数电专票",
        C.BUYER_NAME: "上海某某贸易有限公司",
        C.BUYER_TAX_ID: "91310110666007217T",
        C.BUYER_ADDRESS: "上海市徐汇区某路1号",
        C.BUYER_PHONE: "021-12345678",
        C.BUYER_BANK: "招商银行上海分行",
        C.BUYER_ACCOUNT: "6225880212345678",
        C.REMARK: "",
        C.BUYER_EMAIL: "cw@example.com",
        C.TAX_ID_CONFIRMED: "",
    }
    values.update({_header(key): value for key, value in cells.items()})
    return [values[header] for header in INVOICE_HEADERS]


def line_row(serial: str = "FP001", **cells: object) -> list[object]:
    """A good line (10 × 100 at 13%, tax-exclusive); keyword cells override."""
    values: dict[str, object] = {
        C.SERIAL: serial,
        C.ITEM_NAME: "技术咨询",
        C.TAX_CODE: "3040201000000000000",
        C.SPEC: "",
        C.UNIT: "次",
        C.QUANTITY: "10",
        C.UNIT_PRICE: "100",
        C.AMOUNT: "",
        C.TAX_RATE: "13%",
        C.TAX_INCLUDED: "否",
    }
    values.update({_header(key): value for key, value in cells.items()})
    return [values[header] for header in LINE_HEADERS]


# Keyword names for the Chinese headers, so tests read invoice_row(kind="数电普票").
_KEYWORDS = {
    "serial": C.SERIAL,
    "kind": C.KIND,
    "buyer_name": C.BUYER_NAME,
    "tax_id": C.BUYER_TAX_ID,
    "remark": C.REMARK,
    "email": C.BUYER_EMAIL,
    "confirmed": C.TAX_ID_CONFIRMED,
    "account": C.BUYER_ACCOUNT,
    "address": C.BUYER_ADDRESS,
    "bank": C.BUYER_BANK,
    "name": C.ITEM_NAME,
    "tax_code": C.TAX_CODE,
    "spec": C.SPEC,
    "unit": C.UNIT,
    "quantity": C.QUANTITY,
    "unit_price": C.UNIT_PRICE,
    "amount": C.AMOUNT,
    "tax_rate": C.TAX_RATE,
    "included": C.TAX_INCLUDED,
}


def _header(keyword: str) -> str:
    return _KEYWORDS[keyword]


def xlsx_file(
    invoices: Sequence[Cells],
    lines: Sequence[Cells],
    *,
    invoice_headers: Cells = tuple(INVOICE_HEADERS),
    line_headers: Cells = tuple(LINE_HEADERS),
    sheet_names: tuple[str, str] = (C.INVOICE_SHEET, C.LINE_SHEET),
) -> bytes:
    """A workbook written by openpyxl; cells keep their Python types (numbers, dates…)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.title = sheet_names[0]
    second = workbook.create_sheet(sheet_names[1])
    for sheet, headers, rows in ((first, invoice_headers, invoices), (second, line_headers, lines)):
        sheet.append(list(headers))
        for row in rows:
            sheet.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_file(
    rows: Sequence[Cells], *, headers: Cells = tuple(CSV_HEADERS), encoding: str = "utf-8-sig"
) -> bytes:
    """A CSV file in the one-row-per-line layout."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def csv_rows(invoices: Sequence[Cells], lines: Sequence[Cells]) -> list[list[object]]:
    """The CSV rows equivalent to the two sheets: each line with its invoice's columns."""
    by_serial = {row[0]: list(row) for row in invoices}
    return [by_serial[line[0]] + list(line[1:]) for line in lines]


_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def excel_like_xlsx(sheets: dict[str, Sequence[Sequence[str]]]) -> bytes:
    """A minimal workbook as Excel writes one: text cells in a shared string table.

    Much faster to build than through openpyxl, for the large files of speed tests.
    """
    strings: dict[str, int] = {}
    parts: dict[str, str] = {}
    for number, rows in enumerate(sheets.values(), 1):
        xml_rows = []
        for r, row in enumerate(rows, 1):
            cells = "".join(
                f'<c r="{_column(c)}{r}" t="s"><v>{strings.setdefault(text, len(strings))}</v></c>'
                for c, text in enumerate(row)
                if text != ""
            )
            xml_rows.append(f'<row r="{r}">{cells}</row>')
        parts[f"xl/worksheets/sheet{number}.xml"] = (
            f'<worksheet xmlns="{_NS}"><sheetData>{"".join(xml_rows)}</sheetData></worksheet>'
        )
    shared = "".join(f"<si><t>{escape(text)}</t></si>" for text in strings)
    parts["xl/sharedStrings.xml"] = (
        f'<sst xmlns="{_NS}" uniqueCount="{len(strings)}">{shared}</sst>'
    )
    sheet_list = "".join(
        f'<sheet name="{escape(name)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, name in enumerate(sheets, 1)
    )
    parts["xl/workbook.xml"] = (
        f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets>{sheet_list}</sheets></workbook>'
    )
    sheet_rels = "".join(
        f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    parts["xl/_rels/workbook.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{sheet_rels}<Relationship Id="rIdS" Type="{_REL}/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'
    )
    parts["_rels/.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    )
    ml = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{ml}.worksheet+xml"/>'
        for n in range(1, len(sheets) + 1)
    )
    parts["[Content_Types].xml"] = (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ml}.sheet.main+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{ml}.sharedStrings+xml"/>'
        f"{overrides}</Types>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8"?>' + text)
    return buffer.getvalue()


def _column(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# The builders as fixtures, since test modules cannot import a conftest.
@pytest.fixture(scope="session", name="invoice_row")
def invoice_row_fixture() -> object:
    """Build an invoice row."""
    return invoice_row


@pytest.fixture(scope="session", name="line_row")
def line_row_fixture() -> object:
    """Build a line row."""
    return line_row


@pytest.fixture(scope="session", name="xlsx_file")
def xlsx_file_fixture() -> object:
    """Build a workbook through openpyxl."""
    return xlsx_file


@pytest.fixture(scope="session", name="csv_file")
def csv_file_fixture() -> object:
    """Build a CSV file."""
    return csv_file


@pytest.fixture(scope="session", name="csv_rows")
def csv_rows_fixture() -> object:
    """Turn the two sheets' rows into CSV rows."""
    return csv_rows


@pytest.fixture(scope="session", name="excel_like_xlsx")
def excel_like_xlsx_fixture() -> object:
    """Build a workbook as Excel writes one."""
    return excel_like_xlsx


@pytest.fixture(scope="session")
def parse() -> object:
    """Parse the two sheets' rows written into a workbook."""

    def parse(invoices: Sequence[Cells], lines: Sequence[Cells]) -> BatchResult:
        return parse_batch(xlsx_file(invoices, lines), "batch.xlsx")

    return parse
