"""The empty batch template (.xlsx) offered for download: both sheets, an example, a guide."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from invoicing_core.batch import columns as C
from invoicing_core.batch.csv_reader import CSV_COLUMNS
from invoicing_core.batch.parse import DEFAULT_MAX_INVOICES, DEFAULT_MAX_LINES
from invoicing_core.batch.values import FLAG_CHOICES, KIND_CHOICES
from invoicing_core.domain.tax_rate import TaxRate

TEXT_FORMAT = "@"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="FCE4D6")
_EXAMPLE_FONT = Font(color="808080", italic=True)
_LAST_DATA_ROW = DEFAULT_MAX_INVOICES + 1

# Per column: required?, what to fill in, the example value.
_GUIDE = {
    C.SERIAL: (
        "是",
        f"自定义编号，不超过{C.MAX_SERIAL_LENGTH}个字符，文件内唯一；两张表据此关联。",
        "示例0001",
    ),
    C.KIND: (
        "是",
        "数电专票 或 数电普票（也可填 digital_special / digital_general）。",
        "数电专票",
    ),
    C.BUYER_NAME: ("是", "不超过100个字符。", "湖北示例商贸有限公司"),
    C.BUYER_TAX_ID: (
        "专票必填；购买方为企业的普票也必填",
        "18位统一社会信用代码（或15/20位旧税号）；购买方为个人或机关、事业单位等非企业时开普票可不填。",
        "91310110666007217T",
    ),
    C.BUYER_ADDRESS: ("否", "", "武汉市洪山区珞喻路1号"),
    C.BUYER_PHONE: ("否", "", "027-87654321"),
    C.BUYER_BANK: ("否", "", "中国工商银行武汉珞喻路支行"),
    C.BUYER_ACCOUNT: ("否", "请以文本填写，避免位数丢失。", "3202001234567890123"),
    C.REMARK: ("否", "不超过230个字符。", "合同号：HT-2026-001"),
    C.BUYER_EMAIL: ("否", "发票将发送到该邮箱。", "finance@example.com"),
    C.TAX_ID_CONFIRMED: (
        "否",
        "纳税人识别号校验位不符但已与对方核实无误时填“是”，否则留空。",
        "否",
    ),
    C.ITEM_NAME: ("是", "商品或服务名称。", "技术咨询服务"),
    C.TAX_CODE: ("否", "19位数字，请以文本填写。", "3040201000000000000"),
    C.SPEC: ("否", "", "标准版"),
    C.UNIT: ("否", "", "次"),
    C.QUANTITY: ("与单价同填", "数量和单价同时填写，或同时留空而只填金额。", "10"),
    C.UNIT_PRICE: ("与数量同填", "含税标志为“是”时为含税单价。", "100"),
    C.AMOUNT: (
        "可留空",
        "留空由系统按数量×单价计算；填写时须与之相等（两位小数）。",
        "1000.00",
    ),
    C.TAX_RATE: ("是", "、".join(rate.value for rate in TaxRate) + "。", "6%"),
    C.TAX_INCLUDED: ("否", "单价和金额是否含税：是/否，留空为否。", "否"),
}

_NOTES = (
    "本模板用于批量开具数电发票（数电专票、数电普票）；纸质发票请逐张开具。",
    f"“{C.INVOICE_SHEET}”每行一张发票；“{C.LINE_SHEET}”每行一条明细，通过“{C.SERIAL}”关联。",
    "请不要删除、改名或调换表头；所有单元格请使用文本格式，不要使用公式。",
    f"以“{C.EXAMPLE_PREFIX}”开头的流水号为示例行，导入时自动跳过，可以直接删除。",
    "任一明细行有误，整张发票不开具。上传后先预览，错误按工作表、行号和列名列出；"
    "有错误时可选择只开具其余正确的发票，或修改后重新上传。",
    f"每个文件最多{DEFAULT_MAX_INVOICES}张发票、{DEFAULT_MAX_LINES}行明细，文件不超过10MB。",
    "也可以上传 CSV 文件：一行一条明细，表头依次为两张表的全部列（发票流水号只写一次），"
    "同一张发票的各行重复填写相同的发票信息。",
)


def write_batch_template() -> bytes:
    """The empty template as .xlsx bytes, with one example row on each data sheet."""
    workbook = Workbook()
    invoices = workbook.active
    assert isinstance(invoices, Worksheet)  # noqa: S101 - a new workbook has one sheet
    invoices.title = C.INVOICE_SHEET
    _data_sheet(invoices, C.INVOICE_COLUMNS)
    _data_sheet(workbook.create_sheet(C.LINE_SHEET), C.LINE_COLUMNS)
    _guide_sheet(workbook.create_sheet(C.GUIDE_SHEET))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _data_sheet(sheet: Worksheet, columns: tuple[C.Column, ...]) -> None:
    sheet.append([column.header for column in columns])
    sheet.append([_GUIDE[column.header][2] for column in columns])
    for index, column in enumerate(columns, 1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = max(12, 2.2 * len(column.header) + 2)
        sheet.column_dimensions[letter].number_format = TEXT_FORMAT
        header, example = sheet.cell(1, index), sheet.cell(2, index)
        header.font, header.fill = _HEADER_FONT, _HEADER_FILL
        header.alignment = Alignment(horizontal="center")
        example.font, example.number_format = _EXAMPLE_FONT, TEXT_FORMAT
        choices = _choices(column.header)
        if choices:
            _dropdown(sheet, letter, choices)
    sheet.freeze_panes = "A2"


def _choices(header: str) -> tuple[str, ...]:
    if header == C.KIND:
        return KIND_CHOICES
    if header == C.TAX_RATE:
        return tuple(rate.value for rate in TaxRate)
    if header in (C.TAX_INCLUDED, C.TAX_ID_CONFIRMED):
        return FLAG_CHOICES
    return ()


def _dropdown(sheet: Worksheet, letter: str, choices: tuple[str, ...]) -> None:
    validation = DataValidation(type="list", formula1=f'"{",".join(choices)}"', allow_blank=True)
    validation.add(f"{letter}2:{letter}{_LAST_DATA_ROW}")
    sheet.add_data_validation(validation)


def _guide_sheet(sheet: Worksheet) -> None:
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 14
    sheet.column_dimensions["C"].width = 90
    sheet.append(["批量开票模板说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    for number, note in enumerate(_NOTES, 1):
        sheet.append([f"{number}. {note}"])
    sheet.append([])
    for sheet_name, columns in (
        (C.INVOICE_SHEET, C.INVOICE_COLUMNS),
        (C.LINE_SHEET, C.LINE_COLUMNS),
    ):
        sheet.append([f"“{sheet_name}”各列", "是否必填", "填写说明"])
        for cell in sheet[sheet.max_row]:
            cell.font = _HEADER_FONT
        for column in columns:
            required, guide, _ = _GUIDE[column.header]
            sheet.append([column.header, required, guide])
        sheet.append([])
    sheet.append(["CSV 表头（按此顺序）", "", ",".join(column.header for column in CSV_COLUMNS)])
