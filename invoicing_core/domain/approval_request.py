"""An approval request's life: pending → approved (level by level), rejected, cancelled
or lapsed, once; and what it freezes of an invoice."""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar

from invoicing_core.domain.account import Role
from invoicing_core.domain.approval import ApprovalAction, ApprovalLevel, ApprovalRules
from invoicing_core.domain.errors import DomainError, InvalidInput
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.money import format_money

REASON_LENGTH = 200


class ApprovalState(Enum):
    """Where a request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"

    @property
    def label(self) -> str:
        """The state in Chinese."""
        return {
            "pending": "待审批",
            "approved": "已通过",
            "rejected": "已驳回",
            "cancelled": "已撤销",
            "lapsed": "已过期",
        }[self.value]


class ApprovalNotFound(DomainError):
    """No approval request with that id belongs to the caller's company."""

    code: ClassVar[str] = "approval_not_found"


class ApprovalNotPending(DomainError):
    """The request was decided, cancelled or has lapsed: nothing more can be done to it."""

    code: ClassVar[str] = "approval_not_pending"


class SelfApproval(DomainError):
    """The requester tried to approve or reject their own request."""

    code: ClassVar[str] = "self_approval_not_allowed"


class NotAnApprover(DomainError):
    """The caller is not an approver of the request's current level (or already approved it)."""

    code: ClassVar[str] = "not_an_approver"


class NotTheRequester(DomainError):
    """Only the requester may cancel a request."""

    code: ClassVar[str] = "not_the_requester"


class ApprovalContentChanged(DomainError):
    """What would be issued now differs from what was approved."""

    code: ClassVar[str] = "approval_content_changed"


@dataclass(frozen=True)
class Decision:
    """One approver's verdict at one level."""

    level: int
    by: str
    at: datetime
    approved: bool
    reason: str = ""


@dataclass(frozen=True)
class ApprovalRequest:
    """A request waiting for (or done with) approval; `content` is frozen when it is made."""

    id: int
    company_id: int
    action: ApprovalAction
    requested_by: str
    requested_at: datetime
    deadline: datetime
    levels: tuple[ApprovalLevel, ...]
    reasons: tuple[str, ...]
    content: dict[str, Any]
    quota_hold: Decimal = Decimal(0)
    state: ApprovalState = ApprovalState.PENDING
    decisions: tuple[Decision, ...] = field(default_factory=tuple)
    ended_at: datetime | None = None
    result: str | None = None

    def state_at(self, now: datetime) -> ApprovalState:
        """The state now: a pending request past its deadline has lapsed."""
        if self.state is ApprovalState.PENDING and now >= self.deadline:
            return ApprovalState.LAPSED
        return self.state

    @property
    def level(self) -> int:
        """The level (0-based) waiting for a decision."""
        return sum(1 for decision in self.decisions if decision.approved)

    def awaits(self, username: str, role: Role, now: datetime) -> bool:
        """Whether the request waits for this user's decision now."""
        return (
            self.state_at(now) is ApprovalState.PENDING
            and username != self.requested_by
            and self.levels[self.level].admits(username, role)
            and all(decision.by != username for decision in self.decisions)
        )

    def approve(self, username: str, role: Role, now: datetime) -> "ApprovalRequest":
        """This level approves; the last level's approval ends the request as approved."""
        self._check_decider(username, role, now)
        decided = (*self.decisions, Decision(self.level, username, now, True))
        if len(decided) < len(self.levels):
            return replace(self, decisions=decided)
        return replace(self, decisions=decided, state=ApprovalState.APPROVED, ended_at=now)

    def reject(self, username: str, role: Role, reason: str, now: datetime) -> "ApprovalRequest":
        """Any level's rejection ends the request."""
        self._check_decider(username, role, now)
        text = reason.strip()
        if not text:
            raise InvalidInput("请填写驳回理由。", field="reason")
        if len(text) > REASON_LENGTH:
            raise InvalidInput(f"驳回理由最多{REASON_LENGTH}个字。", field="reason")
        decision = Decision(self.level, username, now, False, text)
        return replace(
            self,
            decisions=(*self.decisions, decision),
            state=ApprovalState.REJECTED,
            ended_at=now,
        )

    def cancel(self, username: str, now: datetime) -> "ApprovalRequest":
        """The requester takes the request back."""
        if username != self.requested_by:
            raise NotTheRequester("只有申请人可以撤销审批申请。", field="id")
        self.ensure_pending(now)
        return replace(self, state=ApprovalState.CANCELLED, ended_at=now)

    def lapses_at(self, now: datetime) -> bool:
        """Whether the request is stored as waiting but its deadline has passed."""
        return self.state is ApprovalState.PENDING and now >= self.deadline

    def lapse(self) -> "ApprovalRequest":
        """The request as lapsed at its deadline."""
        return replace(self, state=ApprovalState.LAPSED, ended_at=self.deadline)

    def ensure_pending(self, now: datetime) -> None:
        """Refuse anything more once the request has ended, saying how it ended."""
        if self.state_at(now) is not ApprovalState.PENDING:
            raise self.ended(now)

    def ended(self, now: datetime) -> ApprovalNotPending:
        """The refusal of a request that has ended, saying how it ended."""
        state = self.state_at(now)
        if state is ApprovalState.LAPSED:
            hours = int((self.deadline - self.requested_at).total_seconds() // 3600)
            message = f"该审批申请已过期（超过{hours}小时未审批），不能再处理，请重新提交。"
        else:
            message = f"该审批申请{state.label}，不能再处理。"
        return ApprovalNotPending(message, field="id")

    def _check_decider(self, username: str, role: Role, now: datetime) -> None:
        self.ensure_pending(now)
        if username == self.requested_by:
            raise SelfApproval("不能审批自己提交的申请。", field="id")
        if any(decision.by == username for decision in self.decisions):
            raise NotAnApprover("您已审批过该申请，下一级须由其他审批人审批。", field="id")
        level = self.levels[self.level]
        if not level.admits(username, role):
            step = f"第{self.level + 1}级" if len(self.levels) > 1 else ""
            raise NotAnApprover(
                f"该申请{step}须由{level.describe()}审批，您不是审批人。", field="id"
            )


def open_request(
    *,
    company_id: int,
    action: ApprovalAction,
    requested_by: str,
    rules: ApprovalRules,
    reasons: Sequence[str],
    content: dict[str, Any],
    quota_hold: Decimal,
    now: datetime,
) -> ApprovalRequest:
    """A new pending request under the company's rules as they are now."""
    return ApprovalRequest(
        id=0,
        company_id=company_id,
        action=action,
        requested_by=requested_by,
        requested_at=now,
        deadline=now + rules.lapse_after,
        levels=rules.levels,
        reasons=tuple(reasons),
        content=content,
        quota_hold=quota_hold,
    )


def invoice_content(invoice: Invoice) -> dict[str, Any]:
    """What an invoice says, as a request freezes it (number and seller left out)."""
    return {
        "kind": invoice.kind.value,
        "kind_label": invoice.kind.label,
        "buyer": {"name": invoice.buyer.name, "tax_id": invoice.buyer.tax_id},
        "lines": [
            {
                "line_no": line_no,
                "name": line.name,
                "quantity": None if line.quantity is None else _plain(line.quantity),
                "unit_price": None if line.unit_price is None else _plain(line.unit_price),
                "amount": format_money(line.amount),
                "tax_rate": line.tax_rate.value,
                "tax": format_money(line.tax),
            }
            for line_no, line in enumerate(invoice.lines, 1)
        ],
        "total_amount": format_money(invoice.total_amount),
        "total_tax": format_money(invoice.total_tax),
        "total_with_tax": format_money(invoice.total_with_tax),
        "total_with_tax_upper": invoice.total_with_tax_upper,
        "remark": invoice.remark,
    }


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")
