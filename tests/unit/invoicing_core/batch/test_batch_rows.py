from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from invoicing_core.batch import BatchResult, RowError, parse_batch
from invoicing_core.batch import columns as C
from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.party import Party
from invoicing_core.domain.tax_rate import TaxRate

INVOICES, LINES = C.INVOICE_SHEET, C.LINE_SHEET
SELLER = Party(name="武汉示例科技有限公司", tax_id="91420100MA4K5R3T13")


MakeRow = Callable[..., list[object]]
MakeFile = Callable[..., bytes]
MakeCsvRows = Callable[..., list[list[object]]]
Parse = Callable[[list[list[object]], list[list[object]]], BatchResult]


def only_error(result: BatchResult) -> RowError:
    assert len(result.errors) == 1, result.errors
    return result.errors[0]


def test_a_good_file_becomes_drafts_in_file_order(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    result = parse(
        [invoice_row("FP001"), invoice_row("FP002", kind="数电普票", tax_id="", buyer_name="张三")],
        [
            line_row("FP001"),
            line_row(
                "FP002", name="咨询费", quantity="", unit_price="", amount="300", tax_rate="6%"
            ),
            line_row("FP001", name="软件", quantity="1", unit_price="5650", included="是"),
        ],
    )
    assert result.errors == ()
    first, second = result.drafts
    assert (first.serial, first.kind, first.sheet, first.row) == (
        "FP001",
        InvoiceKind.DIGITAL_SPECIAL,
        INVOICES,
        2,
    )
    assert first.buyer.tax_id == "91310110666007217T" and first.buyer.account == "6225880212345678"
    assert [(line.name, line.amount, line.tax) for line in first.lines] == [
        ("技术咨询", Decimal("1000.00"), Decimal("130.00")),
        ("软件", Decimal("5000.00"), Decimal("650.00")),
    ]
    assert second.kind is InvoiceKind.DIGITAL_GENERAL and second.buyer.tax_id is None
    (amount_only,) = second.lines
    assert amount_only.quantity is None and amount_only.unit_price is None
    assert (amount_only.amount, amount_only.tax, amount_only.tax_rate) == (
        Decimal("300.00"),
        Decimal("18.00"),
        TaxRate.RATE_6,
    )


def test_drafts_build_real_invoices_once_numbered(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    (draft,) = parse([invoice_row(remark="合同HT-1")], [line_row()]).drafts
    invoice = Invoice(
        number="26421000000000000001",
        kind=draft.kind,
        seller=SELLER,
        buyer=draft.buyer,
        lines=draft.lines,
        remark=draft.remark,
        issued_at=datetime(2026, 3, 10, tzinfo=CHINA_TZ),
    )
    assert invoice.total_with_tax == Decimal("1130.00") and invoice.remark == "合同HT-1"


def test_kinds_are_read_from_short_names_api_values_and_full_names(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    kinds = [
        "数电专票",
        "digital_special",
        "数电发票（增值税专用发票）",
        "数电普票",
        "DIGITAL_GENERAL",
    ]
    result = parse(
        [invoice_row(f"FP{n}", kind=kind) for n, kind in enumerate(kinds)],
        [line_row(f"FP{n}") for n in range(len(kinds))],
    )
    assert [draft.kind.value for draft in result.drafts] == [
        "digital_special",
        "digital_special",
        "digital_special",
        "digital_general",
        "digital_general",
    ]


BAD_INVOICE_ROWS = [
    ({"kind": "电子发票"}, C.KIND, "发票类型"),
    ({"kind": "paper_special"}, C.KIND, "仅支持数电发票"),
    ({"kind": ""}, C.KIND, "请填写发票类型"),
    ({"buyer_name": ""}, C.BUYER_NAME, "请填写名称"),
    ({"buyer_name": "名" * 101}, C.BUYER_NAME, "不能超过100"),
    ({"tax_id": ""}, C.BUYER_TAX_ID, "专用发票必须填写购买方纳税人识别号"),
    ({"tax_id": "9131011066600721"}, C.BUYER_TAX_ID, "18位"),
    ({"tax_id": "91310110666007217X"}, C.BUYER_TAX_ID, "纳税人识别号已核实"),
    ({"tax_id": "91310110666007217T", "confirmed": "也许"}, C.BUYER_TAX_ID, "只能填"),
    ({"remark": "备" * 231}, C.REMARK, "备注不能超过230"),
    ({"email": "not-an-email"}, C.BUYER_EMAIL, "邮箱"),
    ({"buyer_name": "\u200b\u200b\u200b"}, C.BUYER_NAME, "（U+200B）"),
    ({"buyer_name": "\u3000\u00a0"}, C.BUYER_NAME, "请填写名称"),
    ({"address": "上海市\u202e徐汇区"}, C.BUYER_ADDRESS, "（U+202E）"),
    ({"bank": "招商银行\ufeff"}, C.BUYER_BANK, "（U+FEFF）"),
    ({"remark": "合同\u2066HT-1"}, C.REMARK, "（U+2066）"),
]


@pytest.mark.parametrize(("cells", "field", "message"), BAD_INVOICE_ROWS)
def test_a_bad_invoice_row_is_reported_and_the_rest_goes_on(
    cells: dict[str, str],
    field: str,
    message: str,
    parse: Parse,
    invoice_row: MakeRow,
    line_row: MakeRow,
) -> None:
    result = parse(
        [invoice_row("FP001"), invoice_row("BAD", **cells)], [line_row(), line_row("BAD")]
    )
    error = only_error(result)
    assert (error.sheet, error.row, error.field) == (INVOICES, 3, field)
    assert message in error.message
    assert [draft.serial for draft in result.drafts] == ["FP001"]


BAD_LINES = [
    ({"name": ""}, C.ITEM_NAME, "请填写商品或服务名称"),
    ({"quantity": "十"}, C.QUANTITY, "不是有效的数字"),
    ({"quantity": ""}, C.QUANTITY, "同时填写或同时留空"),
    ({"unit_price": ""}, C.UNIT_PRICE, "同时填写或同时留空"),
    ({"quantity": "", "unit_price": "", "amount": ""}, C.AMOUNT, "或填写金额"),
    ({"quantity": "0"}, C.QUANTITY, "大于0"),
    ({"quantity": "-1"}, C.QUANTITY, "蓝字发票"),
    ({"unit_price": "-5"}, C.UNIT_PRICE, "单价必须大于0"),
    ({"quantity": "", "unit_price": "", "amount": "-5"}, C.AMOUNT, "金额必须大于0"),
    ({"amount": "1000.001"}, C.AMOUNT, "两位小数"),
    ({"amount": "999.00"}, C.AMOUNT, "1000.00不符"),
    ({"amount": "1130.00", "included": "是"}, C.AMOUNT, "（含税）1000.00不符"),
    ({"tax_rate": "7%"}, C.TAX_RATE, "不可用"),
    ({"tax_rate": ""}, C.TAX_RATE, "请填写税率"),
    ({"tax_code": "30402"}, C.TAX_CODE, "19位数字"),
    ({"included": "含"}, C.TAX_INCLUDED, "只能填"),
    ({"name": "技术\u202e服务费"}, C.ITEM_NAME, "（U+202E）"),
    ({"spec": "\u200bA型"}, C.SPEC, "（U+200B）"),
    ({"unit": "次\ue000"}, C.UNIT, "（U+E000）"),
]


@pytest.mark.parametrize(("cells", "field", "message"), BAD_LINES)
def test_a_bad_line_is_reported_on_its_row(
    cells: dict[str, str],
    field: str,
    message: str,
    parse: Parse,
    invoice_row: MakeRow,
    line_row: MakeRow,
) -> None:
    result = parse(
        [invoice_row("FP001"), invoice_row("FP002")], [line_row(), line_row("FP002", **cells)]
    )
    line_errors = [error for error in result.errors if error.sheet == LINES]
    assert len(line_errors) == 1, result.errors
    (error,) = line_errors
    assert (error.row, error.field) == (3, field)
    assert message in error.message
    assert [draft.serial for draft in result.drafts] == ["FP001"]


def test_one_bad_line_rejects_the_whole_invoice_and_says_so_on_its_row(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    result = parse(
        [invoice_row("FP001")],
        [line_row(), line_row(quantity="x"), line_row(tax_rate="8%")],
    )
    assert result.drafts == ()
    assert [(error.sheet, error.row) for error in result.errors] == [
        (INVOICES, 2),
        (LINES, 3),
        (LINES, 4),
    ]
    assert "第3、4行" in result.errors[0].message and "整张发票不开具" in result.errors[0].message


def test_a_failed_check_character_passes_when_marked_as_verified(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    row = invoice_row(tax_id="91310110666007217X", confirmed="是")
    (draft,) = parse([row], [line_row()]).drafts
    assert draft.buyer.tax_id == "91310110666007217X"


def test_tax_ids_are_normalised_like_typed_ones(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    (draft,) = parse(
        [invoice_row(tax_id=" ９１３１０１１０６６６００７２１７t ")], [line_row()]
    ).drafts
    assert draft.buyer.tax_id == "91310110666007217T"


def test_whitespace_in_texts_is_normalised_like_typed_ones(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    (draft,) = parse(
        [invoice_row(buyer_name="上海某某\u3000贸易有限公司", remark="合同\nHT-1")],
        [line_row(name="技术\t\t咨询", unit="\u00a0次")],
    ).drafts
    assert (draft.buyer.name, draft.remark) == ("上海某某 贸易有限公司", "合同 HT-1")
    assert [(line.name, line.unit) for line in draft.lines] == [("技术 咨询", "次")]


def test_control_characters_in_a_csv_file_are_refused_on_their_row(
    csv_file: MakeFile, csv_rows: MakeCsvRows, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    # A CSV file, unlike an .xlsx one, can carry C0 controls (NUL makes it not a text file).
    invoices = [invoice_row("FP001"), invoice_row("FP002", buyer_name="某某\x1b[8m公司")]
    lines = [line_row("FP001"), line_row("FP002", name="技术\x07咨询")]
    result = parse_batch(csv_file(csv_rows(invoices, lines)), "batch.csv")
    messages = {(error.row, error.field): error.message for error in result.errors}
    assert set(messages) == {(3, C.BUYER_NAME), (3, C.ITEM_NAME)}
    assert "（U+001B）" in messages[3, C.BUYER_NAME]
    assert "（U+0007）" in messages[3, C.ITEM_NAME]
    assert [draft.serial for draft in result.drafts] == ["FP001"]


def test_duplicate_serials_reject_every_row_sharing_them(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    result = parse(
        [invoice_row("FP001"), invoice_row("FP002"), invoice_row("FP001")],
        [line_row("FP001"), line_row("FP002")],
    )
    assert [draft.serial for draft in result.drafts] == ["FP002"]
    assert [(error.row, error.field) for error in result.errors] == [(2, C.SERIAL), (4, C.SERIAL)]
    assert "第2、4行" in result.errors[0].message


def test_an_invoice_without_lines_is_rejected(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    error = only_error(parse([invoice_row()], []))
    assert (error.sheet, error.row, error.field) == (INVOICES, 2, None)
    assert "没有明细行" in error.message


def test_example_rows_of_the_template_are_skipped(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    result = parse([invoice_row("示例0001"), invoice_row()], [line_row("示例0001"), line_row()])
    assert [draft.serial for draft in result.drafts] == ["FP001"] and result.errors == ()


def test_numbers_typed_as_numbers_are_read_as_typed(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    line = line_row(quantity=3, unit_price=33.33, amount=99.99, tax_rate=0.13)
    (draft,) = parse([invoice_row()], [line]).drafts
    assert (draft.lines[0].quantity, draft.lines[0].unit_price) == (Decimal(3), Decimal("33.33"))
    assert draft.lines[0].amount == Decimal("99.99") and draft.lines[0].tax_rate is TaxRate.RATE_13


CELLS_EXCEL_WOULD_MANGLE = [
    ({"account": 6.225880212345678e15}, C.BUYER_ACCOUNT, "文本格式"),
    ({"buyer_name": "=A1&B1"}, C.BUYER_NAME, "公式"),
    ({"buyer_name": datetime(2026, 1, 2)}, C.BUYER_NAME, "日期"),
    ({"buyer_name": True}, C.BUYER_NAME, "逻辑值"),
]


@pytest.mark.parametrize(("cells", "field", "message"), CELLS_EXCEL_WOULD_MANGLE)
def test_invoice_cells_excel_would_read_wrongly_are_refused(
    cells: dict[str, object],
    field: str,
    message: str,
    parse: Parse,
    invoice_row: MakeRow,
    line_row: MakeRow,
) -> None:
    error = only_error(parse([invoice_row(**cells)], [line_row()]))
    assert (error.sheet, error.field) == (INVOICES, field)
    assert message in error.message


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"tax_code": 3.0402010000000003e18}, "文本格式"),
        ({"spec": date(2026, 3, 4)}, "日期"),
        ({"amount": "=F3*G3"}, "公式"),
        ({"amount": "#DIV/0!"}, "错误值"),
    ],
)
def test_line_cells_excel_would_read_wrongly_are_refused(
    cells: dict[str, object], message: str, parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    result = parse([invoice_row()], [line_row(**cells)])
    assert result.drafts == ()
    assert any(error.sheet == LINES and message in error.message for error in result.errors)


def test_every_bad_row_is_reported_not_just_the_first(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    invoices = [invoice_row(f"FP{n:03d}", kind="?" if n % 2 else "数电专票") for n in range(20)]
    lines = [line_row(f"FP{n:03d}", tax_rate="?" if n % 3 == 0 else "6%") for n in range(20)]
    result = parse(invoices, lines)
    bad_invoices = {n for n in range(20) if n % 2}
    bad_lines = {n for n in range(20) if n % 3 == 0}
    assert len(result.drafts) == 20 - len(bad_invoices | bad_lines)
    assert {e.row - 2 for e in result.errors if e.sheet == INVOICES and e.field == C.KIND} == (
        bad_invoices
    )
    assert {e.row - 2 for e in result.errors if e.sheet == LINES} == bad_lines


def test_row_errors_take_the_contract_shape(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    error = RowError(sheet=INVOICES, row=3, field=C.KIND, message="发票类型无效")
    assert error.as_dict() == {
        "sheet": INVOICES,
        "row": 3,
        "field": C.KIND,
        "message": "发票类型无效",
    }
    assert RowError(sheet=None, row=2, field=None, message="x").as_dict() == {
        "row": 2,
        "message": "x",
    }


@pytest.mark.parametrize(
    ("serial", "message"), [("F" * 21, "不能超过20个字符"), ("", "请填写发票流水号")]
)
def test_a_bad_serial_is_reported_on_both_sheets(
    serial: str, message: str, parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    result = parse([invoice_row(), invoice_row(serial)], [line_row(), line_row(serial)])
    assert [(e.sheet, e.row, e.field) for e in result.errors] == [
        (INVOICES, 3, C.SERIAL),
        (LINES, 3, C.SERIAL),
    ]
    assert all(message in error.message for error in result.errors)
    assert [draft.serial for draft in result.drafts] == ["FP001"]


def test_a_line_of_an_unknown_serial_is_reported(
    parse: Parse, invoice_row: MakeRow, line_row: MakeRow
) -> None:
    error = only_error(parse([invoice_row()], [line_row(), line_row("NOPE")]))
    assert (error.sheet, error.row, error.field) == (LINES, 3, C.SERIAL)
    assert "“发票基本信息”中没有发票流水号“NOPE”" in error.message
