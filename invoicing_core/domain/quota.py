"""Invoicing limits: the monthly quota (总授信额度) and per-invoice maximums (单张最高开票限额)."""

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Protocol

from invoicing_core.domain.errors import InvoiceLimitExceeded, QuotaExceeded
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.money import format_money


class Chargeable(Protocol):
    """An invoice, or a batch row about to become one."""

    @property
    def is_red(self) -> bool:
        """Whether it is a red-letter invoice."""

    @property
    def total_amount(self) -> Decimal:
        """Its tax-exclusive total."""


def quota_charge(invoice: Chargeable) -> Decimal:
    """What an invoice uses of the monthly quota (verify both parts of this rule).

    The quota bounds the month's tax-exclusive total (不含增值税) over all kinds. Red-letter
    invoices are not credited back: whether the tax system restores quota for them is
    unconfirmed, and not restoring can only refuse early, never overdraw.
    """
    return Decimal(0) if invoice.is_red else invoice.total_amount


@dataclass(frozen=True)
class MonthlyQuota:
    """A company's quota for one month and how much of it is used."""

    limit: Decimal
    used: Decimal = Decimal(0)

    @property
    def remaining(self) -> Decimal:
        """What may still be issued this month."""
        return max(self.limit - self.used, Decimal(0))

    def charge(self, invoice: Invoice) -> "MonthlyQuota":
        """The quota after issuing `invoice`; refused, stating what remains, if overdrawn."""
        charge = quota_charge(invoice)
        if charge > self.remaining:
            raise QuotaExceeded(
                f"超出本月开票额度：本月剩余可用额度为{format_money(self.remaining)}元，"
                f"本张发票金额（不含税）为{format_money(charge)}元。请申请调整额度后再开具。"
            )
        return replace(self, used=self.used + charge)


def ensure_within_invoice_limit(invoice: Invoice, limit: Decimal) -> None:
    """Refuse a paper special invoice whose tax-exclusive total reaches the per-invoice maximum.

    The maximum is the total "不得达到" (must not reach), so an invoice equal to it is refused.
    Other kinds have no such maximum here.
    """
    if invoice.kind is InvoiceKind.PAPER_SPECIAL and invoice.total_amount >= limit:
        raise InvoiceLimitExceeded(
            f"本张专用发票金额（不含税）{format_money(invoice.total_amount)}元已达到"
            f"单张最高开票限额{format_money(limit)}元，请减少本张金额或申请调整限额。",
            field="lines",
        )
