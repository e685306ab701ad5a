"""The void rule's verdict shown with the invoice: the refusal voiding would get, or none.

A client reads from the code whether a red-letter invoice is the remedy:
`void_not_allowed` (red-letter it instead) or `invoice_not_voidable_in_status` (voided,
red-flushed, or itself a red-letter invoice).
"""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pytest

from invoicing_core.api.errors import error_response
from invoicing_core.api.schemas import InvoiceOut
from invoicing_core.domain.errors import InvoiceNotVoidableInStatus, VoidNotAllowed
from invoicing_core.domain.invoice import CHINA_TZ, Invoice, ensure_voidable, void_refusal
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.red_letter import RedLinePart

MakeInvoice = Callable[..., Invoice]
SAME_MONTH = datetime(2026, 3, 31, 23, 59, tzinfo=CHINA_TZ)
NEXT_MONTH = datetime(2026, 4, 1, 0, 0, tzinfo=CHINA_TZ)
RED_LETTER_INSTEAD = "void_not_allowed"
NOT_VOIDABLE_IN_STATUS = "invoice_not_voidable_in_status"


def refusal_of(invoice: Invoice, at: datetime) -> VoidNotAllowed:
    """What ensure_voidable raises."""
    with pytest.raises(VoidNotAllowed) as raised:
        ensure_voidable(invoice, at)
    return raised.value


def test_a_paper_invoice_in_its_month_has_no_refusal(make_invoice: MakeInvoice) -> None:
    assert void_refusal(make_invoice(InvoiceKind.PAPER_GENERAL), SAME_MONTH) is None


@pytest.mark.parametrize(
    ("kind", "overrides", "at"),
    [
        (InvoiceKind.DIGITAL_SPECIAL, {}, SAME_MONTH),
        (InvoiceKind.DIGITAL_GENERAL, {}, SAME_MONTH),
        (InvoiceKind.PAPER_GENERAL, {}, NEXT_MONTH),
        (InvoiceKind.PAPER_SPECIAL, {"reported": True}, SAME_MONTH),
        (InvoiceKind.PAPER_SPECIAL, {"certified": True}, SAME_MONTH),
    ],
)
def test_a_blue_invoice_refused_is_to_be_red_lettered_instead(
    make_invoice: MakeInvoice, kind: InvoiceKind, overrides: dict[str, bool], at: datetime
) -> None:
    invoice = make_invoice(kind, **overrides)

    verdict = void_refusal(invoice, at)

    assert verdict is not None
    assert type(verdict) is VoidNotAllowed
    assert verdict.code == RED_LETTER_INSTEAD
    assert "如需更正，请开具红字发票冲销。" in verdict.message
    # The very refusal voiding gets, in the same words.
    assert verdict.message == refusal_of(invoice, at).message


def voided(invoice: Invoice) -> Invoice:
    invoice.void("开错了", by="demo", at=SAME_MONTH)
    return invoice


def red_flushed(invoice: Invoice) -> Invoice:
    invoice.red_letter(1, number="00000002", code="4200261130", at=SAME_MONTH)
    return invoice


def partly_red_flushed(invoice: Invoice) -> Invoice:
    part = RedLinePart(1, Decimal("100"))
    invoice.red_letter(1, [part], number="00000002", code="4200261130", at=SAME_MONTH)
    return invoice


@pytest.mark.parametrize(
    ("change", "label"),
    [(voided, "已作废"), (red_flushed, "已红冲"), (partly_red_flushed, "部分红冲")],
)
def test_an_invoice_no_longer_issued_has_a_code_of_its_own(
    make_invoice: MakeInvoice, change: Callable[[Invoice], Invoice], label: str
) -> None:
    invoice = change(make_invoice(InvoiceKind.PAPER_GENERAL))

    verdict = void_refusal(invoice, SAME_MONTH)

    assert isinstance(verdict, InvoiceNotVoidableInStatus)
    assert verdict.code == NOT_VOIDABLE_IN_STATUS
    assert verdict.message == f"该发票状态为“{label}”，不能作废。"
    # Still a VoidNotAllowed for whoever catches those, voiding included.
    with pytest.raises(InvoiceNotVoidableInStatus):
        invoice.void("再作废", by="demo", at=SAME_MONTH)


def test_a_digital_red_letter_invoice_is_refused_without_offering_another(
    make_invoice: MakeInvoice,
) -> None:
    blue = make_invoice(InvoiceKind.DIGITAL_GENERAL)
    red = blue.red_letter(1, number="26421000000000000002", at=SAME_MONTH)

    verdict = void_refusal(red, SAME_MONTH)

    assert verdict is not None
    assert verdict.code == NOT_VOIDABLE_IN_STATUS
    assert verdict.message == "数电发票开具后即交付购买方并同步至税务系统，不能作废。"


def test_a_paper_red_letter_invoice_is_refused_after_its_month_without_a_remedy(
    make_invoice: MakeInvoice,
) -> None:
    red = make_invoice(InvoiceKind.PAPER_GENERAL).red_letter(
        1, number="00000002", code="4200261130", at=SAME_MONTH
    )

    assert void_refusal(red, SAME_MONTH) is None
    verdict = void_refusal(red, NEXT_MONTH)
    assert verdict is not None and verdict.code == NOT_VOIDABLE_IN_STATUS
    assert "红字发票冲销" not in verdict.message


def test_both_refusals_are_a_409() -> None:
    for refusal in (VoidNotAllowed("不能作废。"), InvoiceNotVoidableInStatus("不能作废。")):
        assert error_response(refusal).status_code == 409


def test_the_invoice_json_carries_the_verdict_at_the_given_moment(
    make_invoice: MakeInvoice,
) -> None:
    paper, digital = make_invoice(InvoiceKind.PAPER_GENERAL), make_invoice()

    in_month = InvoiceOut.of(paper, SAME_MONTH).model_dump(mode="json")["void"]
    next_month = InvoiceOut.of(paper, NEXT_MONTH).model_dump(mode="json")["void"]
    refused = InvoiceOut.of(digital, SAME_MONTH).model_dump(mode="json")["void"]

    assert in_month == {"allowed": True, "code": None, "message": None}
    assert next_month["allowed"] is False
    assert next_month["code"] == RED_LETTER_INSTEAD
    assert next_month["message"].startswith("纸质发票只能在开具当月作废")
    assert refused == {
        "allowed": False,
        "code": RED_LETTER_INSTEAD,
        "message": refusal_of(digital, SAME_MONTH).message,
    }
