"""The buyer's 用途确认: the buyer confirms the use of an invoice issued to it (抵扣 or
不抵扣), once. It decides the red-letter path: once the buyer has confirmed use (or, for
paper invoices, certified it), a full red-letter needs the buyer's confirmation form.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import ClassVar

from invoicing_core.domain.errors import DomainError, InvalidInput, InvalidInvoiceNumber
from invoicing_core.domain.invoice import CHINA_TZ, Invoice, InvoiceStatus
from invoicing_core.domain.numbering import DigitalInvoiceNumber, PaperInvoiceNumber

# [0-9], not \d, which would also let full-width and other Unicode digits through.
_PAPER_NUMBER = re.compile(r"[0-9]{8}")


class InvoiceUse(Enum):
    """What the buyer uses the invoice for."""

    DEDUCT = "deduct"
    NO_DEDUCT = "no_deduct"

    @property
    def label(self) -> str:
        """The use in Chinese."""
        return "抵扣" if self is InvoiceUse.DEDUCT else "不抵扣"

    @classmethod
    def parse(cls, raw: object) -> "InvoiceUse":
        """Read a use from its name or its Chinese label."""
        text = str(raw).strip() if isinstance(raw, str) else ""
        for use in cls:
            if text in (use.value, use.label):
                return use
        raise InvalidInput("用途须为 deduct（抵扣）或 no_deduct（不抵扣）。", field="use")


class UseAlreadyConfirmed(DomainError):
    """The buyer has confirmed the invoice's use before; a confirmation is final."""

    code: ClassVar[str] = "use_already_confirmed"


class UseConfirmationNotAllowed(DomainError):
    """The invoice may not have its use confirmed (voided, red-flushed in full, red)."""

    code: ClassVar[str] = "use_confirmation_not_allowed"


class UseConfirmationNotFound(DomainError):
    """The buyer has not confirmed the invoice's use."""

    code: ClassVar[str] = "use_confirmation_not_found"


@dataclass(frozen=True)
class InvoiceName:
    """How the caller names an invoice: its identifier in this system (digital number, or
    paper code + number), or a paper invoice's 8-digit number whose code was not given."""

    identifier: str | None
    paper_number: str | None = None


def invoice_name(number: str, code: str | None) -> InvoiceName:
    """Read the caller's number (and paper code), refusing malformed ones naming the field."""
    number, code = number.strip(), (code or "").strip()
    if code:
        paper = PaperInvoiceNumber(code, number)
        return InvoiceName(paper.code + paper.number)
    if _PAPER_NUMBER.fullmatch(number):
        return InvoiceName(None, number)
    if len(number) == 18 and number.isascii() and number.isdigit():
        return InvoiceName(number)  # a paper invoice's 10-digit code + number, as shown
    try:
        return InvoiceName(str(DigitalInvoiceNumber.parse(number)))
    except InvalidInvoiceNumber:
        raise InvalidInvoiceNumber(
            f"发票号码应为20位数电发票号码，或8位纸质发票号码（可附发票代码）：{number}",
            field="number",
        ) from None


@dataclass(frozen=True)
class UseConfirmation:
    """The buyer's confirmation of an invoice's use."""

    invoice: str  # the invoice's identifier
    use: InvoiceUse
    confirmed_at: datetime
    confirmed_by: str
    buyer_company_id: int


def confirm_use(
    invoice: Invoice,
    earlier: UseConfirmation | None,
    use: InvoiceUse,
    *,
    buyer_company_id: int,
    by: str,
    at: datetime,
) -> UseConfirmation:
    """The buyer's confirmation, refused when it was given before or the invoice is not one
    the buyer may use (voided, red-flushed in full, or a red-letter invoice)."""
    if earlier is not None:
        when = earlier.confirmed_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
        raise UseAlreadyConfirmed(
            f"发票{invoice.identifier}已于{when}由{earlier.confirmed_by}确认用途为"
            f"“{earlier.use.label}”，不能再次确认。",
            field="number",
        )
    refusal = _unusable(invoice)
    if refusal:
        raise UseConfirmationNotAllowed(
            f"发票{invoice.identifier}{refusal}，不能确认用途。", field="number"
        )
    return UseConfirmation(invoice.identifier, use, at, by, buyer_company_id)


def buyer_confirmed_use(invoice: Invoice, confirmation: UseConfirmation | None) -> bool:
    """Whether the buyer has confirmed using the invoice: 用途确认 (either use) or, for a
    paper invoice, certification (勾选认证). Until then the seller alone may negate it in full."""
    return invoice.certified or confirmation is not None


def _unusable(invoice: Invoice) -> str:
    if invoice.is_red:
        return "是红字发票"
    if invoice.status is InvoiceStatus.VOIDED:
        return "已作废"
    if invoice.status is InvoiceStatus.RED_FLUSHED:
        return "已全额红冲"
    return ""
