from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from invoicing_core.domain.errors import InvalidInput, InvalidInvoiceNumber, TaxIdRequired
from invoicing_core.domain.invoice import Invoice, InvoiceStatus, ensure_buyer_identified
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import BuyerType, Party
from invoicing_core.domain.tax_rate import TaxRate

MakeInvoice = Callable[..., Invoice]
MakeLine = Callable[..., InvoiceLine]


def test_kinds_know_their_labels_and_nature() -> None:
    assert InvoiceKind.DIGITAL_SPECIAL.label == "数电发票（增值税专用发票）"
    assert InvoiceKind.PAPER_GENERAL.label == "增值税普通发票（纸质）"
    assert [kind for kind in InvoiceKind if kind.is_digital] == [
        InvoiceKind.DIGITAL_SPECIAL,
        InvoiceKind.DIGITAL_GENERAL,
    ]
    assert [kind for kind in InvoiceKind if kind.is_special] == [
        InvoiceKind.DIGITAL_SPECIAL,
        InvoiceKind.PAPER_SPECIAL,
    ]


def test_digital_kinds_carry_their_qr_codes() -> None:
    assert InvoiceKind.DIGITAL_SPECIAL.qr_code == "31"
    assert InvoiceKind.DIGITAL_GENERAL.qr_code == "32"


def test_api_values_match_the_contract() -> None:
    assert [kind.value for kind in InvoiceKind] == [
        "digital_special",
        "digital_general",
        "paper_special",
        "paper_general",
    ]
    assert [status.value for status in InvoiceStatus] == [
        "issued",
        "voided",
        "red_flushed",
        "partly_red_flushed",
    ]


def test_totals_sum_the_lines_and_are_written_in_uppercase(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    invoice = make_invoice(lines=(make_line("10", "100", "13%"), make_line("1", "250.5", "6%")))
    assert invoice.total_amount == Decimal("1250.50")
    assert invoice.total_tax == Decimal("145.03")
    assert invoice.total_with_tax == Decimal("1395.53")
    assert invoice.total_with_tax_upper == "壹仟叁佰玖拾伍圆伍角叁分"


def test_a_new_invoice_is_issued(make_invoice: MakeInvoice) -> None:
    assert make_invoice().status is InvoiceStatus.ISSUED


@pytest.mark.parametrize("kind", [InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.PAPER_SPECIAL])
def test_special_invoices_need_the_buyers_tax_id(
    make_invoice: MakeInvoice, kind: InvoiceKind
) -> None:
    with pytest.raises(InvalidInput) as raised:
        make_invoice(kind, buyer=Party(name="张三"))
    assert raised.value.field == "buyer.tax_id"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("武汉光谷科技有限公司", BuyerType.ENTERPRISE),
        ("湖北长江股份有限公司", BuyerType.ENTERPRISE),
        ("武汉某某会计师事务所（特殊普通合伙）", BuyerType.ENTERPRISE),
        ("洪山区小李便利店", BuyerType.ENTERPRISE),
        ("汉阳钢构厂", BuyerType.ENTERPRISE),
        ("张三", BuyerType.NON_ENTERPRISE),
        ("李女士", BuyerType.NON_ENTERPRISE),
        ("阿依古丽·买买提", BuyerType.NON_ENTERPRISE),
        ("武汉市洪山区人民政府", BuyerType.NON_ENTERPRISE),
        ("国家税务总局武汉市税务局", BuyerType.NON_ENTERPRISE),
        ("华中科技大学", BuyerType.NON_ENTERPRISE),
        ("湖北省会计学会", BuyerType.NON_ENTERPRISE),
        ("光谷创新创业服务中心", BuyerType.UNKNOWN),
        ("武汉小蜜蜂工作室", BuyerType.UNKNOWN),
    ],
)
def test_the_buyers_name_tells_whether_it_is_an_enterprise(name: str, expected: BuyerType) -> None:
    assert BuyerType.of_name(name) is expected


def test_a_general_invoice_to_an_enterprise_needs_its_tax_id_when_issued(
    make_invoice: MakeInvoice,
) -> None:
    to_company = make_invoice(InvoiceKind.DIGITAL_GENERAL, buyer=Party(name="武汉光谷科技有限公司"))
    with pytest.raises(TaxIdRequired) as raised:
        ensure_buyer_identified(to_company)
    assert raised.value.field == "buyer.tax_id"
    assert "2017年第16号" in raised.value.message
    for name in ("张三", "光谷创新创业服务中心"):
        ensure_buyer_identified(make_invoice(InvoiceKind.DIGITAL_GENERAL, buyer=Party(name=name)))


def test_an_individual_buyer_needs_no_tax_id_on_a_general_invoice(
    make_invoice: MakeInvoice,
) -> None:
    invoice = make_invoice(InvoiceKind.DIGITAL_GENERAL, buyer=Party(name="张三"))
    assert invoice.buyer.tax_id is None


def test_an_invoice_needs_at_least_one_line(make_invoice: MakeInvoice) -> None:
    with pytest.raises(InvalidInput, match="至少要有一行"):
        make_invoice(lines=())


def test_a_blue_invoice_has_no_negative_lines(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    with pytest.raises(InvalidInput, match="第2行金额必须大于0"):
        make_invoice(lines=(make_line("10"), make_line("-1")))


def test_the_summed_tax_difference_may_not_pass_one_yuan_twenty_seven(
    make_invoice: MakeInvoice,
) -> None:
    def line_off_by(tax: str) -> InvoiceLine:
        # 1000 × 13% = 130; each line's tax is within its own 0.06 tolerance.
        return InvoiceLine(
            name="咨询费", amount=Decimal("1000.00"), tax_rate=TaxRate.RATE_13, tax=Decimal(tax)
        )

    assert make_invoice(lines=(line_off_by("130.06"),) * 21).total_tax == Decimal("2731.26")
    with pytest.raises(InvalidInput, match=r"超过1\.27元"):
        make_invoice(lines=(line_off_by("130.06"),) * 22)


def test_remarks_are_limited_to_230_characters(make_invoice: MakeInvoice) -> None:
    assert make_invoice(remark="备" * 230).remark
    with pytest.raises(InvalidInput) as raised:
        make_invoice(remark="备" * 231)
    assert raised.value.field == "remark"


@pytest.mark.parametrize(
    ("kind", "numbering"),
    [
        (InvoiceKind.DIGITAL_GENERAL, {"number": "2642100000000000001"}),
        (InvoiceKind.PAPER_GENERAL, {"code": "4200261130", "number": "0000001"}),
        (InvoiceKind.PAPER_GENERAL, {"code": None, "number": "00000001"}),
    ],
)
def test_the_number_must_fit_the_kind(
    make_invoice: MakeInvoice, kind: InvoiceKind, numbering: dict[str, object]
) -> None:
    with pytest.raises(InvalidInvoiceNumber):
        make_invoice(kind, **numbering)


def test_a_digital_invoice_has_no_invoice_code(make_invoice: MakeInvoice) -> None:
    with pytest.raises(InvalidInput) as raised:
        make_invoice(code="4200261130")
    assert raised.value.field == "code"


def test_invoice_times_must_carry_a_time_zone(make_invoice: MakeInvoice) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        make_invoice(issued_at=datetime(2026, 3, 10, 9, 30))


def test_a_party_needs_a_name_of_at_most_100_characters() -> None:
    with pytest.raises(InvalidInput):
        Party(name="  ")
    with pytest.raises(InvalidInput):
        Party(name="某" * 101)
