"""Matching a received invoice against the invoice this system issued, when it did.

An invoice issued here to the receiving company is matched by its number (and code):
the receiver then sees the issued invoice's true state (voided, red-flushed) and every
key fact on which the two disagree. Any other invoice is marked honestly as one this
system cannot verify.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum

from invoicing_core.domain.invoice import InvoiceStatus
from invoicing_core.domain.ledger_fields import FIELD_LABELS
from invoicing_core.domain.money import format_money
from invoicing_core.domain.received_invoice import ReceivedInvoice

UNVERIFIABLE = "未在本系统开具，无法核验"


class VerificationStatus(Enum):
    """How the received invoice compares with what this system issued."""

    UNMATCHED = "unmatched"
    MATCHED = "matched"
    MISMATCHED = "mismatched"


@dataclass(frozen=True)
class IssuedFacts:
    """What this system knows of an invoice it issued, as of now."""

    status: InvoiceStatus
    invoice_date: date
    seller_tax_id: str
    buyer_tax_id: str | None
    amount: Decimal
    tax: Decimal
    total_with_tax: Decimal


@dataclass(frozen=True)
class Mismatch:
    """A key fact on which the received invoice and the issued one disagree."""

    field: str
    label: str
    recorded: str | None
    issued: str | None


@dataclass(frozen=True)
class Verification:
    """The verdict: matched or not, the issued invoice's status, and the disagreements."""

    status: VerificationStatus
    issued_status: InvoiceStatus | None = None
    mismatches: tuple[Mismatch, ...] = ()

    @property
    def message(self) -> str:
        """The verdict in a sentence for the user."""
        if self.issued_status is None:
            return UNVERIFIABLE
        parts = [f"本系统开具，当前状态：{self.issued_status.label}"]
        if self.issued_status is not InvoiceStatus.ISSUED:
            parts.append(f"开票方已将该发票{self.issued_status.label}，请勿报销或抵扣")
        if self.mismatches:
            names = "、".join(mismatch.label for mismatch in self.mismatches)
            parts.append(f"与开具信息不一致：{names}")
        else:
            parts.append("与开具信息一致")
        return "；".join(parts) + "。"


def verify(received: ReceivedInvoice, issued: IssuedFacts | None) -> Verification:
    """Compare the received invoice with the issued one (None: not issued here)."""
    if issued is None:
        return Verification(VerificationStatus.UNMATCHED)
    pairs = (
        ("amount", _money(received.amount), _money(issued.amount)),
        ("tax", _money(received.tax), _money(issued.tax)),
        ("total_with_tax", _money(received.total_with_tax), _money(issued.total_with_tax)),
        ("date", received.invoice_date.isoformat(), issued.invoice_date.isoformat()),
        ("seller_tax_id", received.seller_tax_id, issued.seller_tax_id),
        ("buyer_tax_id", received.buyer_tax_id, issued.buyer_tax_id),
    )
    mismatches = tuple(
        Mismatch(field, FIELD_LABELS[field], recorded, actual)
        for field, recorded, actual in pairs
        if recorded != actual
    )
    status = VerificationStatus.MISMATCHED if mismatches else VerificationStatus.MATCHED
    return Verification(status, issued.status, mismatches)


def _money(amount: Decimal) -> str:
    return format_money(amount)
