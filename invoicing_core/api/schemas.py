"""Request and response bodies of the invoice API; money travels as 2-decimal strings."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from invoicing_core.domain.errors import VoidNotAllowed
from invoicing_core.domain.invoice import Invoice, InvoiceStatus, void_refusal
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money
from invoicing_core.domain.party import Party
from invoicing_core.services.batch_issuing import BatchOutcome, BatchPreview
from invoicing_core.services.invoices import IssueRequest, LineInput


class Strict(BaseModel):
    """Unknown fields are refused rather than silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class BuyerIn(Strict):
    """The buyer (购买方)."""

    name: str = Field(min_length=1, max_length=100)
    tax_id: str | None = Field(None, max_length=20)
    address: str = Field("", max_length=200)
    phone: str = Field("", max_length=40)
    bank: str = Field("", max_length=100)
    account: str = Field("", max_length=40)
    email: str = Field("", max_length=120)


class LineIn(Strict):
    """One goods or service line; prices are tax-exclusive unless tax_included is true."""

    name: str = Field(min_length=1, max_length=100)
    tax_code: str | None = Field(None, max_length=19)
    spec: str = Field("", max_length=40)
    unit: str = Field("", max_length=20)
    quantity: Decimal = Field(examples=["1"])
    unit_price: Decimal = Field(examples=["10600.00"])
    tax_rate: str = Field(min_length=1, max_length=8, examples=["6%", "13%", "免税"])
    tax_included: bool = False


class IssueIn(Strict):
    """An invoice to issue."""

    kind: InvoiceKind
    buyer: BuyerIn
    lines: list[LineIn] = Field(min_length=1, max_length=100)
    remark: str = Field("", max_length=230)
    confirm_tax_id: bool = Field(False, description="确认使用未通过校验位检查的纳税人识别号")

    def to_request(self) -> IssueRequest:
        """The service's request."""
        return IssueRequest(
            kind=self.kind,
            buyer=self.buyer.model_dump(),
            lines=[LineInput(**line.model_dump()) for line in self.lines],
            remark=self.remark,
            confirm_tax_id=self.confirm_tax_id,
        )


class VoidIn(Strict):
    """Why the invoice is voided."""

    reason: str = Field(min_length=1, max_length=200)


class RedPartIn(Strict):
    """A blue line (1-based) to negate, in full or by a tax-exclusive amount."""

    line_no: int = Field(ge=1, le=100)
    amount: Decimal | None = Field(None, gt=0)


class RedLetterIn(Strict):
    """Why, and which lines (none: negate everything that remains)."""

    reason: str = Field(min_length=1, max_length=8, examples=["1", "开票有误", "销货退回"])
    lines: list[RedPartIn] = Field(default_factory=list, max_length=100)


class PartyOut(BaseModel):
    """A seller or buyer as printed."""

    name: str
    tax_id: str | None
    address: str
    phone: str
    bank: str
    account: str
    email: str

    @classmethod
    def of(cls, party: Party) -> "PartyOut":
        """From the domain."""
        return cls(**party.__dict__)


class LineOut(BaseModel):
    """A printed line."""

    line_no: int
    name: str
    tax_code: str | None
    spec: str
    unit: str
    quantity: str | None
    unit_price: str | None
    amount: str
    tax_rate: str
    tax: str

    @classmethod
    def of(cls, line_no: int, line: InvoiceLine) -> "LineOut":
        """From the domain."""
        return cls(
            line_no=line_no,
            name=line.name,
            tax_code=line.tax_code,
            spec=line.spec,
            unit=line.unit,
            quantity=None if line.quantity is None else _plain(line.quantity),
            unit_price=None if line.unit_price is None else _plain(line.unit_price),
            amount=format_money(line.amount),
            tax_rate=line.tax_rate.value,
            tax=format_money(line.tax),
        )


class InvoiceContentOut(BaseModel):
    """What an invoice says, issued or not: the fields of a preview and of an invoice."""

    kind: InvoiceKind
    kind_label: str
    buyer: PartyOut
    seller: PartyOut
    lines: list[LineOut]
    total_amount: str
    total_tax: str
    total_with_tax: str
    total_with_tax_upper: str
    remark: str


class InvoicePreviewOut(InvoiceContentOut):
    """What an issue request would give, before anything is issued: no number, no status."""

    @classmethod
    def of(cls, invoice: Invoice) -> "InvoicePreviewOut":
        """From the domain, as the issued invoice would show it."""
        return cls(**_content(invoice))


class VoidVerdictOut(BaseModel):
    """Whether the invoice may be voided now: the void rule's answer (ensure_voidable).

    When it may not, `code` and `message` are those of the 409 that voiding would get:
    `void_not_allowed` (a red-letter invoice corrects it instead) or
    `invoice_not_voidable_in_status` (voided, red-flushed, or a red-letter invoice).
    """

    allowed: bool
    code: str | None = Field(examples=["void_not_allowed", "invoice_not_voidable_in_status"])
    message: str | None = Field(
        examples=["数电发票开具后即交付购买方并同步至税务系统，不能作废。……"]
    )

    @classmethod
    def of(cls, refusal: VoidNotAllowed | None) -> "VoidVerdictOut":
        """From the rule's refusal, or None when voiding is allowed."""
        if refusal is None:
            return cls(allowed=True, code=None, message=None)
        return cls(allowed=False, code=refusal.code, message=refusal.message)


class InvoiceOut(InvoiceContentOut):
    """An invoice as the API shows it; a paper invoice's number is its code + number."""

    number: str
    code: str | None
    status: InvoiceStatus
    status_label: str
    issued_at: datetime
    red_of: str | None
    void_reason: str | None
    void: VoidVerdictOut

    @classmethod
    def of(cls, invoice: Invoice, at: datetime) -> "InvoiceOut":
        """From the domain; `void` says whether it may be voided at `at` (the service's now)."""
        return cls(
            **_content(invoice),
            number=invoice.identifier,
            code=invoice.code,
            status=invoice.status,
            status_label=invoice.status.label,
            issued_at=invoice.issued_at,
            red_of=invoice.red_of,
            void_reason=invoice.voided.reason if invoice.voided else None,
            void=VoidVerdictOut.of(void_refusal(invoice, at)),
        )


def _content(invoice: Invoice) -> dict[str, Any]:
    """What an invoice says, issued or not."""
    return {
        "kind": invoice.kind,
        "kind_label": invoice.kind.label,
        "buyer": PartyOut.of(invoice.buyer),
        "seller": PartyOut.of(invoice.seller),
        "lines": [LineOut.of(n, line) for n, line in enumerate(invoice.lines, 1)],
        "total_amount": format_money(invoice.total_amount),
        "total_tax": format_money(invoice.total_tax),
        "total_with_tax": format_money(invoice.total_with_tax),
        "total_with_tax_upper": invoice.total_with_tax_upper,
        "remark": invoice.remark,
    }


class InvoicePage(BaseModel):
    """One page of search results."""

    items: list[InvoiceOut]
    total: int
    page: int
    size: int


def _plain(value: Decimal) -> str:
    # Quantities and unit prices keep their own precision, without exponent notation.
    return format(value.normalize(), "f")


class BatchOut(BaseModel):
    """What a batch upload issued and every row it did not."""

    accepted: int
    numbers: list[str]
    rejected: list[dict[str, str | int]]

    @classmethod
    def of(cls, outcome: BatchOutcome) -> "BatchOut":
        """From the service."""
        rejected = [error.as_dict() for error in outcome.rejected]
        return cls(accepted=outcome.accepted, numbers=outcome.numbers, rejected=rejected)


# How many of the invoices a batch preview lists one by one (the totals cover all).
PREVIEW_LISTED = 50


class BatchPreviewOut(BaseModel):
    """What issuing a batch file would do; nothing is issued."""

    valid: int  # invoices that would be issued
    total_with_tax: str
    refusal: str | None  # why the whole batch would be refused (the monthly quota)
    # Each invoice the approval rules hold back: then the whole batch waits for approval.
    held_for_approval: list[str]
    invoices: list[dict[str, str | int | None]]  # the first PREVIEW_LISTED of them
    rejected: list[dict[str, str | int]]

    @classmethod
    def of(cls, preview: BatchPreview) -> "BatchPreviewOut":
        """From the service."""
        listed = [
            {
                "sheet": draft.sheet,
                "row": draft.row,
                "serial": draft.serial,
                "kind_label": draft.kind.label,
                "buyer": draft.buyer.name,
                "total_with_tax": format_money(draft.total_with_tax),
            }
            for draft in preview.drafts[:PREVIEW_LISTED]
        ]
        return cls(
            valid=len(preview.drafts),
            total_with_tax=format_money(preview.total_with_tax),
            refusal=preview.refusal,
            held_for_approval=preview.held,
            invoices=listed,
            rejected=[error.as_dict() for error in preview.rejected],
        )
