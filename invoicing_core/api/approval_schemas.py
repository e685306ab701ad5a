"""An approval request in JSON, shared by the endpoints that may answer 202 with one."""

from datetime import datetime
from typing import Any

from fastapi import status
from pydantic import BaseModel, Field

from invoicing_core.domain.approval_request import ApprovalState
from invoicing_core.services.approval_outcomes import ApprovalView


class LevelOut(BaseModel):
    """Who decides at a level ([]: the approver role)."""

    approvers: list[str]


class DecisionOut(BaseModel):
    """One approver's verdict."""

    level: int = Field(description="1 或 2")
    by: str
    at: datetime
    approved: bool
    reason: str


class ApprovalOut(BaseModel):
    """An approval request as the caller sees it now."""

    id: int
    action: str = Field(description="issue、void、red_letter 或 batch")
    action_label: str
    state: str = Field(description="pending、approved、rejected、cancelled 或 lapsed")
    state_label: str
    requested_by: str
    requested_at: datetime
    deadline: datetime
    reasons: list[str]
    level: int = Field(description="等待第几级审批（1 或 2）；已结束时为已通过的级数")
    levels: list[LevelOut]
    decisions: list[DecisionOut]
    content: dict[str, Any] = Field(description="申请时冻结的内容（开票预览、作废或红冲的发票）")
    quota_hold: str
    ended_at: datetime | None
    result: str | None = Field(
        description="审批通过后开具、作废或红冲的发票号码；批量申请为首张发票号码（号码连续）"
    )
    awaiting_you: bool

    @classmethod
    def of(cls, view: ApprovalView) -> "ApprovalOut":
        """From the service."""
        request, state = view.request, view.state
        return cls(
            id=request.id,
            action=request.action.value,
            action_label=request.action.label,
            state=state.value,
            state_label=state.label,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
            deadline=request.deadline,
            reasons=list(request.reasons),
            level=min(request.level + 1, len(request.levels)),
            levels=[LevelOut(approvers=list(level.approvers)) for level in request.levels],
            decisions=[
                DecisionOut(
                    level=d.level + 1, by=d.by, at=d.at, approved=d.approved, reason=d.reason
                )
                for d in request.decisions
            ],
            content=request.content,
            quota_hold=f"{request.quota_hold:.2f}",
            ended_at=request.ended_at if state is not ApprovalState.LAPSED else request.deadline,
            result=request.result,
            awaiting_you=view.awaiting_you,
        )


# What the issue, void and red-letter endpoints document for a request held for approval.
HELD_FOR_APPROVAL: dict[int | str, dict[str, Any]] = {
    status.HTTP_202_ACCEPTED: {
        "model": ApprovalOut,
        "description": "须经审批：已提交审批申请（冻结的内容见 content），尚未办理",
    }
}
