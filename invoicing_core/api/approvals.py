"""Remote approval (远程审批): the company's rules, and the requests they hold back."""

from datetime import datetime
from enum import Enum
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from invoicing_core.api.approval_schemas import ApprovalOut, LevelOut
from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.red_letter_forms import OutcomeOut
from invoicing_core.api.schemas import BatchOut, InvoiceOut, Strict
from invoicing_core.domain.approval_request import ApprovalState
from invoicing_core.services.approval_outcomes import ApprovalOutcome, StoredRules

rules_router = APIRouter(prefix="/approval-rules", tags=["approvals"])
router = APIRouter(prefix="/approvals", tags=["approvals"])

RequestId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class LevelIn(Strict):
    """One level: named approvers, or none for every user with the approver role."""

    approvers: list[str] = Field(default_factory=list, max_length=20)


class RulesIn(Strict):
    """The company's approval rules; any condition that holds makes a request wait."""

    # Read by the domain (parse_money), which refuses floats in Chinese, naming the field.
    min_total_with_tax: Any = Field(
        None,
        examples=["50000.00"],
        description="价税合计达到该金额（元）须审批；字符串或整数，不接受浮点数",
    )
    kinds: list[str] = Field(default_factory=list, max_length=4, description="须审批的发票类型")
    new_buyer: bool = Field(False, description="首次向某购买方开票须审批")
    buyers: list[str] = Field(
        default_factory=list, max_length=200, description="须审批的购买方税号"
    )
    items: list[str] = Field(
        default_factory=list,
        max_length=50,
        description="须审批的商品或服务名称，或税收分类简称（如“*运输服务*”）；任一行匹配即须审批",
    )
    red_letter: bool = Field(False, description="开具红字发票须审批")
    void: bool = Field(False, description="作废发票须审批")
    levels: list[LevelIn] = Field(default_factory=lambda: [LevelIn()], min_length=1, max_length=2)
    lapse_hours: int = Field(72, ge=1, le=720, description="申请等待多少小时后过期")

    def to_json(self) -> dict[str, Any]:
        """The rules as the domain reads them (it parses the amount, refusing floats)."""
        return self.model_dump()


class RulesOut(BaseModel):
    """The company's rules; `set` is false while its admin has set none (nothing waits)."""

    set: bool
    min_total_with_tax: str | None
    kinds: list[str]
    new_buyer: bool
    buyers: list[str]
    items: list[str]
    red_letter: bool
    void: bool
    levels: list[LevelOut]
    lapse_hours: int

    @classmethod
    def of(cls, stored: StoredRules) -> "RulesOut":
        """From the service."""
        return cls(set=stored.set, **stored.rules.to_json())


class ApprovalOutcomeOut(BaseModel):
    """The request after a decision, and what the final approval issued, voided or entered."""

    approval: ApprovalOut
    invoice: InvoiceOut | None = Field(description="审批通过后开具或作废的发票，或开具的红字发票")
    red_letter_form: OutcomeOut | None = Field(description="红字发票申请通过后填开的红字确认单")
    batch: BatchOut | None = Field(None, description="批量开票申请通过后开具的全部发票")

    @classmethod
    def of(cls, outcome: ApprovalOutcome, at: datetime) -> "ApprovalOutcomeOut":
        """From the service; `at` is the invoice service's now (InvoiceOut.of)."""
        red = outcome.red_letter
        invoice = outcome.invoice or (red.red if red else None)
        return cls(
            approval=ApprovalOut.of(outcome.view),
            invoice=InvoiceOut.of(invoice, at) if invoice else None,
            red_letter_form=OutcomeOut.of(red, at) if red else None,
            batch=BatchOut.of(outcome.batch) if outcome.batch else None,
        )


class ApprovalList(BaseModel):
    """Requests, newest first."""

    items: list[ApprovalOut]
    total: int


class Mine(Enum):
    """Whose requests: waiting for the caller's decision, or asked by the caller."""

    APPROVER = "approver"
    REQUESTER = "requester"


class RejectIn(Strict):
    """Why the request is rejected."""

    reason: str = Field(min_length=1, max_length=200)


@rules_router.get("", response_model=RulesOut)
async def get_rules(who: CurrentPrincipal, core: CoreDep) -> RulesOut:
    """本企业的审批规则（未设置时 set 为 false，所有请求直接办理）。"""
    return RulesOut.of(await to_thread.run_sync(core.approvals.rules, who))


@rules_router.put("", response_model=RulesOut)
async def put_rules(body: RulesIn, who: CurrentPrincipal, core: CoreDep) -> RulesOut:
    """企业管理员设置审批规则：任一条件满足的开票、作废或红冲请求须经审批（一级或两级）。"""
    stored = await to_thread.run_sync(core.approvals.set_rules, who, body.to_json())
    return RulesOut.of(stored)


@router.get("", response_model=ApprovalList)
async def search(
    who: CurrentPrincipal,
    core: CoreDep,
    state: ApprovalState | None = None,
    mine: Mine | None = None,
) -> ApprovalList:
    """本企业的审批申请；mine=approver 为等待我审批的，mine=requester 为我提交的。"""
    found = await to_thread.run_sync(
        core.approvals.search, who, state, mine.value if mine else None
    )
    return ApprovalList(items=[ApprovalOut.of(view) for view in found], total=len(found))


@router.get("/{request_id}", response_model=ApprovalOut)
async def get(request_id: RequestId, who: CurrentPrincipal, core: CoreDep) -> ApprovalOut:
    """查看一份审批申请。"""
    return ApprovalOut.of(await to_thread.run_sync(core.approvals.get, who, request_id))


@router.post("/{request_id}/approve", response_model=ApprovalOutcomeOut)
async def approve(
    request_id: RequestId, who: CurrentPrincipal, core: CoreDep
) -> ApprovalOutcomeOut:
    """审批通过；最后一级通过时以申请人的身份开具（或作废、红冲）。"""
    outcome = await to_thread.run_sync(core.approvals.approve, who, request_id)
    return ApprovalOutcomeOut.of(outcome, core.invoices.now())


@router.post("/{request_id}/reject", response_model=ApprovalOutcomeOut)
async def reject(
    request_id: RequestId, body: RejectIn, who: CurrentPrincipal, core: CoreDep
) -> ApprovalOutcomeOut:
    """驳回申请（须填写理由），占用的额度随即释放。"""
    outcome = await to_thread.run_sync(core.approvals.reject, who, request_id, body.reason)
    return ApprovalOutcomeOut.of(outcome, core.invoices.now())


@router.post("/{request_id}/cancel", response_model=ApprovalOutcomeOut)
async def cancel(request_id: RequestId, who: CurrentPrincipal, core: CoreDep) -> ApprovalOutcomeOut:
    """申请人撤销尚未审批完的申请，占用的额度随即释放。"""
    outcome = await to_thread.run_sync(core.approvals.cancel, who, request_id)
    return ApprovalOutcomeOut.of(outcome, core.invoices.now())
