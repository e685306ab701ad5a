"""A received invoice in the company's ledger (收票台账): its key facts, state and history.

The same invoice (kind, code and number) is recorded once per company: recording it
again is refused, saying when, by whom and in which state it was recorded, which is
what stops an invoice from being reimbursed twice (重复报销).
"""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum

from invoicing_core.domain.errors import DuplicateReceivedInvoice, ReceiptStateNotAllowed
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.domain.kind import InvoiceKind

MAX_NOTE_LENGTH = 200


class ReceiptState(Enum):
    """Where a received invoice stands; the value is the API's name for it."""

    RECORDED = "recorded"
    REIMBURSED = "reimbursed"
    DEDUCTED = "deducted"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        """The state as users know it."""
        return _STATE_LABELS[self]

    @property
    def next_states(self) -> tuple["ReceiptState", ...]:
        """The states a received invoice in this state may move to."""
        return _NEXT_STATES.get(self, ())

    def check_move(self, to: "ReceiptState") -> None:
        """Refuse a move the ledger does not allow, saying which moves there are."""
        if to in self.next_states:
            return
        allowed = "、".join(f"“{state.label}”" for state in self.next_states)
        hint = f"只能改为{allowed}。" if allowed else "该状态不能再更改。"
        raise ReceiptStateNotAllowed(
            f"该发票在台账中的状态为“{self.label}”，不能改为“{to.label}”：{hint}",
            field="state",
        )


_STATE_LABELS = {
    ReceiptState.RECORDED: "已录入",
    ReceiptState.REIMBURSED: "已报销",
    ReceiptState.DEDUCTED: "已抵扣",
    ReceiptState.REJECTED: "已拒收",
}
# Reimbursed, deducted and rejected are final: each is a decision made once.
_NEXT_STATES = {
    ReceiptState.RECORDED: (ReceiptState.REIMBURSED, ReceiptState.DEDUCTED, ReceiptState.REJECTED),
}


@dataclass(frozen=True)
class ReceivedInvoice:
    """The facts of a received invoice that the ledger searches, sums and matches by.

    `code` is empty for a digital invoice, which has none.
    """

    kind: InvoiceKind
    code: str
    number: str
    invoice_date: date
    seller_name: str
    seller_tax_id: str
    buyer_name: str | None
    buyer_tax_id: str | None
    amount: Decimal
    tax: Decimal
    total_with_tax: Decimal

    @property
    def identifier(self) -> str:
        """How this system names the invoice: the digital number, or code followed by number."""
        return self.code + self.number


@dataclass(frozen=True)
class StateChange:
    """One step of a received invoice's history; recording it is the step from None."""

    from_state: ReceiptState | None
    to_state: ReceiptState
    by: str
    by_name: str
    at: datetime
    note: str = ""


def duplicate_refusal(
    recorded_at: datetime, recorded_by_name: str, state: ReceiptState
) -> DuplicateReceivedInvoice:
    """The refusal of an invoice the company has recorded before (the day in China time)."""
    day = recorded_at.astimezone(CHINA_TZ).date().isoformat()
    return DuplicateReceivedInvoice(
        f"该发票已于 {day} 由 {recorded_by_name} 录入（状态：{state.label}），不能重复录入。",
        field="number",
    )
