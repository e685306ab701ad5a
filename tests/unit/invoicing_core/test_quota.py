from collections.abc import Callable
from decimal import Decimal

import pytest

from invoicing_core.domain.errors import InvoiceLimitExceeded, QuotaExceeded
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.quota import MonthlyQuota, ensure_within_invoice_limit, quota_charge

MakeInvoice = Callable[..., Invoice]
MakeLine = Callable[..., InvoiceLine]


def test_issuing_uses_the_tax_exclusive_amount_of_the_quota(make_invoice: MakeInvoice) -> None:
    quota = MonthlyQuota(limit=Decimal(1_000_000), used=Decimal(500))
    after = quota.charge(make_invoice())
    assert after.used == Decimal(1500)
    assert after.remaining == Decimal(998_500)


def test_issuing_beyond_the_quota_is_refused_stating_what_remains(
    make_invoice: MakeInvoice,
) -> None:
    quota = MonthlyQuota(limit=Decimal(1_000_000), used=Decimal("999500.50"))
    with pytest.raises(QuotaExceeded, match=r"剩余可用额度为499\.50元") as raised:
        quota.charge(make_invoice())
    assert raised.value.code == "quota_exceeded"


def test_the_quota_may_be_used_up_exactly(make_invoice: MakeInvoice) -> None:
    assert MonthlyQuota(limit=Decimal(1000)).charge(make_invoice()).remaining == 0


def test_red_letter_invoices_give_no_quota_back(make_invoice: MakeInvoice) -> None:
    blue = make_invoice()
    red = blue.red_letter(1, number="26421000000000000002", at=blue.issued_at)
    assert quota_charge(red) == 0


def test_a_paper_special_invoice_must_stay_below_its_per_invoice_maximum(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    below = make_invoice(InvoiceKind.PAPER_SPECIAL, lines=(make_line("1", "99999.99"),))
    ensure_within_invoice_limit(below, Decimal(100_000))
    reaching = make_invoice(InvoiceKind.PAPER_SPECIAL, lines=(make_line("1", "100000"),))
    with pytest.raises(InvoiceLimitExceeded, match=r"单张最高开票限额100000\.00元"):
        ensure_within_invoice_limit(reaching, Decimal(100_000))


def test_other_kinds_have_no_per_invoice_maximum(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    invoice = make_invoice(InvoiceKind.DIGITAL_SPECIAL, lines=(make_line("1", "100000"),))
    ensure_within_invoice_limit(invoice, Decimal(100_000))
