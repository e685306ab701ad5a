"""What the approval service answers: a request as a user sees it, a decision's outcome,
a company's stored rules, and what an approved request stores as its result."""

from dataclasses import dataclass
from datetime import datetime

from invoicing_core.domain.approval import ApprovalRules
from invoicing_core.domain.approval_request import ApprovalRequest, ApprovalState
from invoicing_core.domain.invoice import Invoice
from invoicing_core.services.batch_issuing import BatchOutcome
from invoicing_core.services.red_letter_forms import RedLetterOutcome


@dataclass(frozen=True)
class ApprovalView:
    """A request as one user of its company sees it now."""

    request: ApprovalRequest
    now: datetime
    awaiting_you: bool

    @property
    def state(self) -> ApprovalState:
        """The request's state now (a waiting request past its deadline has lapsed)."""
        return self.request.state_at(self.now)


@dataclass(frozen=True)
class ApprovalOutcome:
    """A decision, and the invoice or red-letter outcome the final approval brought."""

    view: ApprovalView
    invoice: Invoice | None = None
    red_letter: RedLetterOutcome | None = None
    batch: BatchOutcome | None = None


@dataclass(frozen=True)
class StoredRules:
    """A company's rules, or the default (nothing needs approval) when none were set."""

    rules: ApprovalRules
    set: bool


def result_of(done: ApprovalOutcome) -> str | None:
    """What an approved request stores as its result: the invoice issued, voided or
    red-lettered, the form entered, or a batch's first invoice (its numbers run on)."""
    if done.batch is not None:
        return done.batch.numbers[0] if done.batch.numbers else None
    if done.invoice is not None:
        return done.invoice.identifier
    red = done.red_letter
    if red is None:
        return None
    return red.red.identifier if red.red else f"form:{red.form.stored.id}"
