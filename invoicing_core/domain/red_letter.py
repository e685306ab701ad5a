"""Red-letter corrections: reasons, what to negate, and the confirmation form (红字确认单)."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from enum import Enum

from invoicing_core.domain.errors import ConfirmationNotAllowed, InvalidInput
from invoicing_core.domain.party import PartyRole

CONFIRMATION_WINDOW = timedelta(hours=72)


class RedLetterReason(Enum):
    """Why a blue invoice is negated; the value is the tax system's reason code."""

    INVOICING_ERROR = "1"
    SALES_RETURN = "2"
    SERVICE_TERMINATED = "3"
    SALES_ALLOWANCE = "4"

    @property
    def label(self) -> str:
        """The reason as users know it."""
        return _REASON_LABELS[self]

    @classmethod
    def parse(cls, raw: object) -> "RedLetterReason":
        """Read a reason from its code (1–4, as str or int), its label or itself."""
        if isinstance(raw, RedLetterReason):
            return raw
        text = str(raw).strip()
        for reason in cls:
            if text in (reason.value, reason.label):
                return reason
        choices = "、".join(f"{reason.value} {reason.label}" for reason in cls)
        raise InvalidInput(f"红冲原因“{raw}”无效，可选：{choices}。", field="reason")


_REASON_LABELS = {
    RedLetterReason.INVOICING_ERROR: "开票有误",
    RedLetterReason.SALES_RETURN: "销货退回",
    RedLetterReason.SERVICE_TERMINATED: "服务终止",
    RedLetterReason.SALES_ALLOWANCE: "销售折让",
}


@dataclass(frozen=True)
class RedLinePart:
    """Which blue line (1-based) to negate, and how much of its tax-exclusive amount.

    Without an amount, all that remains of the line is negated.
    """

    line_no: int
    amount: Decimal | None = None


class ConfirmationState(Enum):
    """A confirmation form's state; the value is the tax system's state code."""

    NOT_REQUIRED = "01"
    AWAITING_BUYER = "02"
    AWAITING_SELLER = "03"
    CONFIRMED = "04"
    DENIED_BY_BUYER = "05"
    DENIED_BY_SELLER = "06"
    LAPSED = "07"
    WITHDRAWN = "08"
    WITHDRAWN_AFTER_CONFIRMATION = "09"

    @property
    def label(self) -> str:
        """The state as the tax system shows it."""
        return _STATE_LABELS[self]


_STATE_LABELS = {
    ConfirmationState.NOT_REQUIRED: "无需确认",
    ConfirmationState.AWAITING_BUYER: "销方录入待购方确认",
    ConfirmationState.AWAITING_SELLER: "购方录入待销方确认",
    ConfirmationState.CONFIRMED: "购销双方已确认",
    ConfirmationState.DENIED_BY_BUYER: "作废（销方录入购方否认）",
    ConfirmationState.DENIED_BY_SELLER: "作废（购方录入销方否认）",
    ConfirmationState.LAPSED: "作废（超72小时未确认）",
    ConfirmationState.WITHDRAWN: "作废（发起方已撤销）",
    ConfirmationState.WITHDRAWN_AFTER_CONFIRMATION: "作废（确认后撤销）",
}

_AWAITING = {
    ConfirmationState.AWAITING_BUYER: PartyRole.BUYER,
    ConfirmationState.AWAITING_SELLER: PartyRole.SELLER,
}
# States in which a form waits for the other party (until it lapses).
AWAITING_STATES = frozenset(_AWAITING)


@dataclass(frozen=True, kw_only=True)
class ConfirmationForm:
    """A red-letter confirmation form; every move returns a new form."""

    blue_number: str
    reason: RedLetterReason
    initiator: PartyRole
    state: ConfirmationState
    entered_at: datetime
    # The blue lines to negate; none: everything that remains.
    parts: tuple[RedLinePart, ...] = ()

    @property
    def deadline(self) -> datetime:
        """When an unanswered form lapses."""
        return self.entered_at + CONFIRMATION_WINDOW

    def state_at(self, now: datetime) -> ConfirmationState:
        """The state at `now`: a form still awaiting the other party lapses after 72 hours."""
        if self.state in _AWAITING and now >= self.deadline:
            return ConfirmationState.LAPSED
        return self.state

    def awaiting(self, now: datetime) -> PartyRole | None:
        """The party whose answer the form waits for at `now`, if any."""
        return _AWAITING.get(self.state_at(now))

    def allows_issuing(self, now: datetime) -> bool:
        """Whether the red-letter invoice may be issued on this form at `now`."""
        return self.state_at(now) in (ConfirmationState.NOT_REQUIRED, ConfirmationState.CONFIRMED)

    def confirm(self, by: PartyRole, now: datetime) -> "ConfirmationForm":
        """The other party agrees."""
        self._require_answer_from(by, now)
        return replace(self, state=ConfirmationState.CONFIRMED)

    def deny(self, by: PartyRole, now: datetime) -> "ConfirmationForm":
        """The other party refuses."""
        self._require_answer_from(by, now)
        denied = (
            ConfirmationState.DENIED_BY_BUYER
            if by is PartyRole.BUYER
            else ConfirmationState.DENIED_BY_SELLER
        )
        return replace(self, state=denied)

    def withdraw(self, by: PartyRole, now: datetime) -> "ConfirmationForm":
        """The initiator takes the form back, before or after confirmation."""
        if by is not self.initiator:
            raise ConfirmationNotAllowed(f"只有发起方（{self.initiator.label}）可以撤销确认单。")
        state = self.state_at(now)
        if state in _AWAITING:
            return replace(self, state=ConfirmationState.WITHDRAWN)
        if state is ConfirmationState.CONFIRMED:
            return replace(self, state=ConfirmationState.WITHDRAWN_AFTER_CONFIRMATION)
        raise ConfirmationNotAllowed(f"确认单状态为“{state.label}”，不能撤销。")

    def _require_answer_from(self, by: PartyRole, now: datetime) -> None:
        state = self.state_at(now)
        if state is ConfirmationState.LAPSED:
            raise ConfirmationNotAllowed("确认单超过72小时未确认，已自动作废，请重新填开。")
        if _AWAITING.get(state) is not by:
            raise ConfirmationNotAllowed(f"确认单状态为“{state.label}”，{by.label}不能确认或否认。")


def open_confirmation(
    *,
    blue_number: str,
    reason: RedLetterReason,
    initiator: PartyRole,
    parts: Sequence[RedLinePart] = (),
    buyer_confirmed_use: bool,
    now: datetime,
) -> ConfirmationForm:
    """Enter a confirmation form for negating a blue invoice in full (no parts) or in part."""
    full = not parts
    return ConfirmationForm(
        blue_number=blue_number,
        reason=reason,
        initiator=initiator,
        state=starting_state(initiator, full=full, buyer_confirmed_use=buyer_confirmed_use),
        entered_at=now,
        parts=tuple(parts),
    )


def starting_state(
    initiator: PartyRole, *, full: bool, buyer_confirmed_use: bool
) -> ConfirmationState:
    """The state a new form starts in.

    Until the buyer has confirmed using the blue invoice (用途确认), the seller alone may
    negate it in full; any other case waits for the other party.
    """
    if initiator is PartyRole.BUYER:
        return ConfirmationState.AWAITING_SELLER
    if full and not buyer_confirmed_use:
        return ConfirmationState.NOT_REQUIRED
    return ConfirmationState.AWAITING_BUYER
