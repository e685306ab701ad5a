"""The received-invoice ledger (收票台账): record, find, move along, sum and export.

Each entry is matched, when read, against the invoices this system issued to the
company, so it always shows the issued invoice's state as it is now.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from invoicing_core.domain import audit_actions
from invoicing_core.domain.errors import (
    DomainError,
    Forbidden,
    InvalidInput,
    ReceivedInvoiceNotFound,
    RecognitionNotFound,
)
from invoicing_core.domain.ledger_fields import corrected_fields, received_invoice
from invoicing_core.domain.receipt_verification import Verification, verify
from invoicing_core.domain.received_invoice import (
    MAX_NOTE_LENGTH,
    ReceiptState,
    ReceivedInvoice,
    StateChange,
    duplicate_refusal,
)
from invoicing_core.domain.text import invoice_text
from invoicing_core.persistence import company_repository, invoice_repository
from invoicing_core.persistence import pending_recognition_repository as pending
from invoicing_core.persistence import received_invoice_repository as ledger
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.received_invoice_repository import (
    KindTotals,
    OriginalFile,
    Receipt,
    ReceiptFilter,
)
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now
from invoicing_core.services.recognitions import company_of

# The most entries one export holds.
MAX_EXPORT_ROWS = 10_000


@dataclass(frozen=True)
class ReceiptView:
    """An entry with its verdict against the issued invoice and its history."""

    receipt: Receipt
    verification: Verification
    history: list[StateChange] = field(default_factory=list)


@dataclass(frozen=True)
class ReceiptPage:
    """One page of entries."""

    items: list[ReceiptView]
    total: int
    page: int
    size: int


@dataclass(frozen=True)
class MonthTotals:
    """A month's received invoices per kind (rejected ones left out), by invoice date."""

    month: str
    by_kind: list[KindTotals]

    @property
    def count(self) -> int:
        """How many received invoices."""
        return sum(totals.count for totals in self.by_kind)

    @property
    def tax(self) -> Decimal:
        """Their tax."""
        return sum((totals.tax for totals in self.by_kind), Decimal(0))

    @property
    def special_tax(self) -> Decimal:
        """The tax on special invoices, which the company may deduct (进项)."""
        return sum((totals.tax for totals in self.by_kind if totals.kind.is_special), Decimal(0))


class ReceivedInvoiceService:
    """The ledger of the invoices a company received."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def recorded_before(self, who: Principal, recognized: Mapping[str, Any]) -> str | None:
        """Why this recognised invoice cannot be recorded again ("该发票已于 … 录入（状态：…）"),
        when the company has recorded it; None otherwise, also when what was read does not
        identify an invoice yet. Shown with the recognition, before anyone records it."""
        company_id = company_of(who, "识别发票")
        try:
            invoice = received_invoice(corrected_fields(recognized.get("fields", {}), {}))
        except DomainError:
            return None
        with self._engine.connect() as connection:
            earlier = ledger.same_invoice(connection, company_id, invoice)
        if earlier is None:
            return None
        recorded = earlier.recorded
        return duplicate_refusal(recorded.at, recorded.by_name, earlier.state).message

    def record(
        self, who: Principal, recognition_id: str, corrections: Mapping[str, str]
    ) -> ReceiptView:
        """Record a recognition kept for the caller's company, with the user's corrections.

        The same invoice recorded before by the company is refused, saying when, by
        whom and in which state (also when two clerks record it at once).
        """
        company_id, now = _clerk_company(who, "录入收票台账"), self._clock()
        try:
            with begin_write(self._engine) as connection:
                kept = pending.get(connection, recognition_id, company_id, now)
                if kept is None:
                    raise RecognitionNotFound(
                        "没有找到该识别结果，可能已过期（保留1小时）或已录入，请重新上传发票。",
                        field="recognition_id",
                    )
                fields = corrected_fields(kept.result.get("fields", {}), corrections)
                invoice = received_invoice(fields)
                _refuse_duplicate(connection, company_id, invoice)
                recorded = StateChange(
                    None, ReceiptState.RECORDED, who.username, who.display_name, now
                )
                stored_fields = {name: value.to_json() for name, value in fields.items()}
                details = {k: v for k, v in kept.result.items() if k != "fields"}
                receipt_id = ledger.add(
                    connection,
                    company_id,
                    invoice,
                    stored_fields,
                    details,
                    kept.original,
                    recorded,
                )
                pending.remove(connection, recognition_id)
                corrected = sorted(name for name, value in fields.items() if value.corrected)
                after = {
                    "invoice": invoice.identifier,
                    "kind": invoice.kind.value,
                    "total_with_tax": str(invoice.total_with_tax),
                    "state": ReceiptState.RECORDED.value,
                    "corrected": corrected,
                }
                _audit(connection, who, company_id, receipt_id, "record", None, after, now)
        except IntegrityError:
            # Another clerk recorded the same invoice meanwhile: the constraint held.
            with self._engine.connect() as connection:
                _refuse_duplicate(connection, company_id, invoice)
            raise
        return self.get(who, receipt_id)

    def get(self, who: Principal, receipt_id: int) -> ReceiptView:
        """An entry of the caller's company, with its verdict and history."""
        company_id = company_of(who, "查看收票台账")
        with self._engine.connect() as connection:
            found = ledger.get(connection, company_id, receipt_id)
            if found is None:
                raise _not_found()
            return _views(connection, company_id, [found])[0]

    def search(self, who: Principal, where: ReceiptFilter, page: int, size: int) -> ReceiptPage:
        """A page of the company's entries, newest first."""
        company_id = company_of(who, "查看收票台账")
        with self._engine.connect() as connection:
            found, total = ledger.search(connection, company_id, where, page, size)
            return ReceiptPage(_views(connection, company_id, found), total, page, size)

    def all_matching(self, who: Principal, where: ReceiptFilter) -> list[ReceiptView]:
        """Every entry matching `where`, newest first, up to MAX_EXPORT_ROWS (for export)."""
        company_id = company_of(who, "导出收票台账")
        with self._engine.connect() as connection:
            found = ledger.all_matching(connection, company_id, where, MAX_EXPORT_ROWS)
            return _views(connection, company_id, found)

    def change_state(
        self, who: Principal, receipt_id: int, to: ReceiptState, note: str
    ) -> ReceiptView:
        """Move an entry to `to` (reimbursed, deducted or rejected), if its state allows."""
        company_id, now = _clerk_company(who, "更改收票状态"), self._clock()
        note = invoice_text(note, field="note", label="备注")
        if len(note) > MAX_NOTE_LENGTH:
            raise InvalidInput(f"备注不能超过{MAX_NOTE_LENGTH}个字符。", field="note")
        with begin_write(self._engine) as connection:
            found = ledger.get(connection, company_id, receipt_id, lock=True)
            if found is None:
                raise _not_found()
            found.state.check_move(to)
            change = StateChange(found.state, to, who.username, who.display_name, now, note)
            ledger.save_state(connection, receipt_id, to)
            ledger.add_change(connection, receipt_id, change)
            _audit(
                connection,
                who,
                company_id,
                receipt_id,
                "state",
                {"state": found.state.value},
                {"state": to.value, "note": note},
                now,
            )
        return self.get(who, receipt_id)

    def original(self, who: Principal, receipt_id: int) -> OriginalFile:
        """The file the entry was recorded from."""
        company_id = company_of(who, "查看收票台账")
        with self._engine.connect() as connection:
            found = ledger.original(connection, company_id, receipt_id)
        if found is None:
            raise _not_found()
        return found

    def month_totals(self, who: Principal, first_day: date) -> MonthTotals:
        """The month's received invoices per kind, by invoice date (进项 planning)."""
        company_id = company_of(who, "查看收票台账")
        following = date(first_day.year + first_day.month // 12, first_day.month % 12 + 1, 1)
        with self._engine.connect() as connection:
            totals = ledger.totals_by_kind(connection, company_id, first_day, following)
        return MonthTotals(first_day.strftime("%Y-%m"), totals)


def _clerk_company(who: Principal, doing: str) -> int:
    """The caller's company, when the caller's role issues invoices (admins, issuers)."""
    if not who.role.may_issue or who.company_id is None:
        raise Forbidden(f"您的账号没有{doing}的权限，请联系企业管理员。")
    return who.company_id


def _refuse_duplicate(connection: Connection, company_id: int, invoice: ReceivedInvoice) -> None:
    earlier = ledger.same_invoice(connection, company_id, invoice)
    if earlier is not None:
        raise duplicate_refusal(earlier.recorded.at, earlier.recorded.by_name, earlier.state)


def _views(connection: Connection, company_id: int, found: Sequence[Receipt]) -> list[ReceiptView]:
    if not found:
        return []
    tax_id = company_repository.get(connection, company_id).tax_id
    issued = invoice_repository.issued_to(
        connection, tax_id, [receipt.invoice.identifier for receipt in found]
    )
    steps = ledger.history(connection, [receipt.id for receipt in found])
    return [
        ReceiptView(
            receipt,
            verify(receipt.invoice, issued.get(receipt.invoice.identifier)),
            steps[receipt.id],
        )
        for receipt in found
    ]


def _not_found() -> ReceivedInvoiceNotFound:
    return ReceivedInvoiceNotFound("收票台账中没有这张发票。", field="id")


def _audit(
    connection: Connection,
    who: Principal,
    company_id: int,
    receipt_id: int,
    move: str,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    now: datetime,
) -> None:
    action = (
        audit_actions.RECEIVED_INVOICE_RECORD
        if move == "record"
        else audit_actions.RECEIVED_INVOICE_STATE
    )
    entry = AuditEntry(
        who.username, action, f"received_invoice:{receipt_id}", now, company_id, before, after
    )
    record(connection, entry)
