"""Bodies of the recognition and received-invoice endpoints; money as 2-decimal strings."""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from invoicing_core.api.schemas import Strict
from invoicing_core.domain.ledger_fields import FIELD_LABELS, MAX_VALUE_LENGTH
from invoicing_core.domain.money import format_money
from invoicing_core.domain.receipt_verification import Mismatch, Verification
from invoicing_core.domain.received_invoice import MAX_NOTE_LENGTH, ReceiptState, StateChange
from invoicing_core.persistence.received_invoice_repository import KindTotals
from invoicing_core.services.received_invoices import MonthTotals, ReceiptView
from invoicing_core.services.recognitions import RecognitionOutcome


class RecognitionOut(BaseModel):
    """What recognition read, and the id to record it by (POST /received-invoices)."""

    id: str = Field(description="识别结果编号，录入收票台账时使用")
    expires_at: datetime = Field(description="此时间后识别结果不再保留，需重新上传")
    format: str = Field(description="image、pdf 或 ofd")
    fields: dict[str, dict[str, Any]]
    lines: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    qr_payload: str | None
    recorded_before: str | None = Field(
        description="本企业已录入过这张发票时的说明（何时、由谁录入、状态），用于防止重复报销"
    )

    @classmethod
    def of(
        cls, outcome: RecognitionOutcome, read: dict[str, Any], recorded_before: str | None
    ) -> "RecognitionOut":
        """From the service: what was read (the recognition's JSON), and the ledger's word
        on an earlier record of the invoice."""
        return cls(
            id=outcome.id, expires_at=outcome.expires_at, recorded_before=recorded_before, **read
        )


class RecordIn(Strict):
    """Record a recognition, correcting any field read wrongly (kept as corrected)."""

    recognition_id: str = Field(min_length=1, max_length=32, pattern=r"^[0-9a-f]+$")
    corrections: dict[str, str] = Field(
        default_factory=dict,
        max_length=len(FIELD_LABELS),
        description='字段名到更正后的值，如 {"number": "…"}；空字符串表示发票上没有该项',
    )

    def checked_corrections(self) -> dict[str, str]:
        """The corrections, each value within the length a field may have."""
        return {name: value[: MAX_VALUE_LENGTH + 1] for name, value in self.corrections.items()}


class StateIn(Strict):
    """Move an entry to reimbursed, deducted or rejected."""

    state: ReceiptState
    note: str = Field("", max_length=MAX_NOTE_LENGTH)


class PartyOut(BaseModel):
    """A party as printed on the received invoice."""

    name: str | None
    tax_id: str | None


class MismatchOut(BaseModel):
    """A key fact on which the entry and the invoice issued in this system disagree."""

    field: str
    label: str
    recorded: str | None
    issued: str | None

    @classmethod
    def of(cls, mismatch: Mismatch) -> "MismatchOut":
        """From the domain."""
        return cls(**mismatch.__dict__)


class VerificationOut(BaseModel):
    """The entry against the invoice this system issued to the company, if it did."""

    status: str = Field(description="unmatched（未在本系统开具）、matched 或 mismatched")
    message: str
    issued_status: str | None
    issued_status_label: str | None
    mismatches: list[MismatchOut]

    @classmethod
    def of(cls, verification: Verification) -> "VerificationOut":
        """From the domain."""
        issued = verification.issued_status
        return cls(
            status=verification.status.value,
            message=verification.message,
            issued_status=issued.value if issued else None,
            issued_status_label=issued.label if issued else None,
            mismatches=[MismatchOut.of(mismatch) for mismatch in verification.mismatches],
        )


class StepOut(BaseModel):
    """One step of an entry's history."""

    from_state: str | None
    to_state: str
    by: str
    by_name: str
    at: datetime
    note: str

    @classmethod
    def of(cls, step: StateChange) -> "StepOut":
        """From the domain."""
        return cls(
            from_state=step.from_state.value if step.from_state else None,
            to_state=step.to_state.value,
            by=step.by,
            by_name=step.by_name,
            at=step.at,
            note=step.note,
        )


class ReceivedInvoiceOut(BaseModel):
    """An entry of the received-invoice ledger."""

    id: int
    kind: str
    kind_label: str
    code: str | None
    number: str
    date: date
    seller: PartyOut
    buyer: PartyOut
    amount: str
    tax: str
    total_with_tax: str
    state: str
    state_label: str
    next_states: list[str]
    recorded_by: str
    recorded_by_name: str
    recorded_at: datetime
    file_name: str
    fields: dict[str, dict[str, Any]] = Field(
        description=(
            "每个字段的值、来源（qr、text_layer、ocr 或 user）和置信度；"
            "更正过的字段带 corrected 和原识别值 recognized"
        )
    )
    checks: list[dict[str, Any]]
    verification: VerificationOut
    history: list[StepOut]

    @classmethod
    def of(cls, view: ReceiptView) -> "ReceivedInvoiceOut":
        """From the service."""
        receipt, invoice = view.receipt, view.receipt.invoice
        return cls(
            id=receipt.id,
            kind=invoice.kind.value,
            kind_label=invoice.kind.label,
            code=invoice.code or None,
            number=invoice.number,
            date=invoice.invoice_date,
            seller=PartyOut(name=invoice.seller_name, tax_id=invoice.seller_tax_id),
            buyer=PartyOut(name=invoice.buyer_name, tax_id=invoice.buyer_tax_id),
            amount=format_money(invoice.amount),
            tax=format_money(invoice.tax),
            total_with_tax=format_money(invoice.total_with_tax),
            state=receipt.state.value,
            state_label=receipt.state.label,
            next_states=[state.value for state in receipt.state.next_states],
            recorded_by=receipt.recorded.by,
            recorded_by_name=receipt.recorded.by_name,
            recorded_at=receipt.recorded.at,
            file_name=receipt.file_name,
            fields=receipt.fields,
            checks=list(receipt.recognition.get("checks", [])),
            verification=VerificationOut.of(view.verification),
            history=[StepOut.of(step) for step in view.history],
        )


class ReceivedInvoicePage(BaseModel):
    """One page of entries, newest first."""

    items: list[ReceivedInvoiceOut]
    total: int
    page: int
    size: int


class KindTotalsOut(BaseModel):
    """A kind's received invoices in the month."""

    kind: str
    label: str
    count: int
    amount: str
    tax: str
    total_with_tax: str
    deductible: bool = Field(description="专用发票：其税额可作进项抵扣（以勾选确认为准）")

    @classmethod
    def of(cls, totals: KindTotals) -> "KindTotalsOut":
        """From the repository."""
        return cls(
            kind=totals.kind.value,
            label=totals.kind.label,
            count=totals.count,
            amount=format_money(totals.amount),
            tax=format_money(totals.tax),
            total_with_tax=format_money(totals.total_with_tax),
            deductible=totals.kind.is_special,
        )


class ReceivedSummaryOut(BaseModel):
    """A month's received invoices by kind (by invoice date; rejected ones left out)."""

    month: str
    count: int
    tax: str
    special_tax: str = Field(description="专用发票税额合计，进项抵扣的上限参考")
    by_kind: list[KindTotalsOut]

    @classmethod
    def of(cls, found: MonthTotals) -> "ReceivedSummaryOut":
        """From the service."""
        return cls(
            month=found.month,
            count=found.count,
            tax=format_money(found.tax),
            special_tax=format_money(found.special_tax),
            by_kind=[KindTotalsOut.of(totals) for totals in found.by_kind],
        )
