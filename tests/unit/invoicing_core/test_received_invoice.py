"""The received-invoice ledger's rules: states, duplicates, corrected fields, matching."""

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from invoicing_core.domain.errors import DomainError, InvalidInput, ReceiptStateNotAllowed
from invoicing_core.domain.invoice import InvoiceStatus
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.ledger_fields import corrected_fields, received_invoice
from invoicing_core.domain.receipt_verification import (
    UNVERIFIABLE,
    IssuedFacts,
    VerificationStatus,
    verify,
)
from invoicing_core.domain.received_invoice import ReceiptState, duplicate_refusal

SELLER_TAX_ID = "91420100MA4K5R3T13"
BUYER_TAX_ID = "91310110666007217T"


def read(value: str, source: str = "ocr", certain: bool = False) -> dict[str, Any]:
    return {"value": value, "source": source, "confidence": 0.93, "certain": certain}


RECOGNIZED = {
    "kind": read("digital_special", "qr", True),
    "number": read("26422000000000012345", "qr", True),
    "date": read("2026-12-01", "qr", True),
    "seller_name": read("武汉示例科技有限公司"),
    "seller_tax_id": read(SELLER_TAX_ID),
    "buyer_name": read("上海某某贸易有限公司"),
    "buyer_tax_id": read(BUYER_TAX_ID),
    "amount": read("1000.00"),
    "tax": read("130.00"),
    "total_with_tax": read("1130.00", "qr", True),
}


def test_a_recorded_invoice_moves_once_to_reimbursed_deducted_or_rejected() -> None:
    for final in (ReceiptState.REIMBURSED, ReceiptState.DEDUCTED, ReceiptState.REJECTED):
        ReceiptState.RECORDED.check_move(final)
        assert final.next_states == ()
        for other in ReceiptState:
            with pytest.raises(ReceiptStateNotAllowed, match="不能再更改"):
                final.check_move(other)
    with pytest.raises(ReceiptStateNotAllowed, match="只能改为“已报销”、“已抵扣”、“已拒收”"):
        ReceiptState.RECORDED.check_move(ReceiptState.RECORDED)


def test_a_duplicate_is_refused_with_the_day_in_china_time_the_recorder_and_the_state() -> None:
    late_evening_utc = datetime(2026, 11, 30, 17, 0, tzinfo=UTC)  # 1 December in China
    refusal = duplicate_refusal(late_evening_utc, "张会计", ReceiptState.REIMBURSED)
    assert refusal.code == "duplicate_received_invoice"
    assert refusal.message.startswith("该发票已于 2026-12-01 由 张会计 录入（状态：已报销）")


def test_a_correction_is_marked_and_keeps_what_was_read() -> None:
    fields = corrected_fields(
        RECOGNIZED,
        {"seller_name": "武汉示例科技股份有限公司", "remarks": "项目A", "amount": "1000.00"},
    )
    assert fields["seller_name"].corrected and fields["seller_name"].source == "user"
    assert fields["seller_name"].recognized == "武汉示例科技有限公司"
    assert fields["remarks"].corrected and fields["remarks"].recognized is None
    # The same value as read is no correction.
    assert not fields["amount"].corrected and fields["amount"].source == "ocr"
    assert fields["number"].to_json() == {
        **RECOGNIZED["number"],
        "corrected": False,
        "recognized": None,
    }


def test_the_key_facts_are_read_from_the_fields() -> None:
    invoice = received_invoice(corrected_fields(RECOGNIZED, {}))
    assert (invoice.kind, invoice.code, invoice.identifier) == (
        InvoiceKind.DIGITAL_SPECIAL,
        "",
        "26422000000000012345",
    )
    assert (invoice.amount, invoice.tax, invoice.total_with_tax) == (
        Decimal("1000.00"),
        Decimal("130.00"),
        Decimal("1130.00"),
    )
    assert invoice.invoice_date == date(2026, 12, 1)


def test_a_paper_invoice_needs_its_code_and_is_named_by_code_and_number() -> None:
    paper = {**RECOGNIZED, "kind": read("paper_special"), "number": read("01234567")}
    with pytest.raises(InvalidInput, match="发票代码") as missing:
        received_invoice(corrected_fields(paper, {}))
    assert missing.value.field == "code"
    invoice = received_invoice(corrected_fields(paper, {"code": "4200224130"}))
    assert invoice.identifier == "420022413001234567"


@pytest.mark.parametrize(
    ("corrections", "field"),
    [
        ({"number": ""}, "number"),
        ({"number": "12345"}, "number"),
        ({"kind": "收据"}, "kind"),
        ({"date": "2026/12/01"}, "date"),
        ({"date": "1899-12-31"}, "date"),
        ({"tax": "130.001"}, "tax"),
        ({"tax": "131.00"}, "total_with_tax"),
        ({"seller_tax_id": "9142"}, "seller_tax_id"),
        ({"seller_name": ""}, "seller_name"),
        ({"buyer_tax_id": "ABC"}, "buyer_tax_id"),
        ({"unknown": "x"}, "unknown"),
        ({"seller_name": "武汉\u202e公司"}, "seller_name"),
    ],
)
def test_a_missing_or_malformed_fact_is_refused_naming_its_field(
    corrections: dict[str, str], field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        received_invoice(corrected_fields(RECOGNIZED, corrections))
    assert refused.value.field == field


def test_a_buyer_may_be_absent_and_a_failed_check_character_is_kept_as_printed() -> None:
    fields = corrected_fields(
        RECOGNIZED, {"buyer_name": "", "buyer_tax_id": "", "seller_tax_id": "91420100MA4K5R3T1X"}
    )
    invoice = received_invoice(fields)
    assert (invoice.buyer_name, invoice.buyer_tax_id) == (None, None)
    assert invoice.seller_tax_id == "91420100MA4K5R3T1X"


def issued(**changes: Any) -> IssuedFacts:
    facts = IssuedFacts(
        status=InvoiceStatus.ISSUED,
        invoice_date=date(2026, 12, 1),
        seller_tax_id=SELLER_TAX_ID,
        buyer_tax_id=BUYER_TAX_ID,
        amount=Decimal("1000.00"),
        tax=Decimal("130.00"),
        total_with_tax=Decimal("1130.00"),
    )
    return replace(facts, **changes)


def test_an_invoice_not_issued_here_is_unverifiable() -> None:
    verdict = verify(received_invoice(corrected_fields(RECOGNIZED, {})), None)
    assert verdict.status is VerificationStatus.UNMATCHED
    assert verdict.message == UNVERIFIABLE == "未在本系统开具，无法核验"


def test_a_matched_invoice_shows_its_true_state_and_every_disagreement() -> None:
    invoice = received_invoice(corrected_fields(RECOGNIZED, {}))
    assert verify(invoice, issued()).status is VerificationStatus.MATCHED
    assert "与开具信息一致" in verify(invoice, issued()).message

    voided = verify(invoice, issued(status=InvoiceStatus.VOIDED, tax=Decimal("13.00")))
    assert voided.status is VerificationStatus.MISMATCHED
    assert voided.issued_status is InvoiceStatus.VOIDED
    assert [(m.field, m.recorded, m.issued) for m in voided.mismatches] == [
        ("tax", "130.00", "13.00")
    ]
    assert "已作废" in voided.message and "请勿报销或抵扣" in voided.message
    assert "不一致：合计税额" in voided.message

    red_flushed = verify(invoice, issued(status=InvoiceStatus.RED_FLUSHED, buyer_tax_id=None))
    assert [m.field for m in red_flushed.mismatches] == ["buyer_tax_id"]
    assert "已红冲" in red_flushed.message
