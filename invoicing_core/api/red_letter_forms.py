"""Red-letter confirmation forms (红字确认单): enter, list, confirm, deny, withdraw."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Path, Query, Response, status
from pydantic import BaseModel, Field

from invoicing_core.api.approval_schemas import HELD_FOR_APPROVAL, ApprovalOut
from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.schemas import InvoiceOut, RedLetterIn
from invoicing_core.domain.red_letter import ConfirmationState, RedLinePart
from invoicing_core.services.approval_outcomes import ApprovalView
from invoicing_core.services.red_letter_forms import FormView, RedLetterOutcome, RedLetterRequest

router = APIRouter(prefix="/red-letter-forms", tags=["red-letter forms"])

FormId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class FormIn(RedLetterIn):
    """A form for a blue invoice of which the caller's company is seller or buyer."""

    number: str = Field(min_length=1, max_length=20, pattern=r"^\d+$", description="蓝字发票号码")


class FormPartOut(BaseModel):
    """A blue line to negate; without amount, all that remains of it."""

    line_no: int
    amount: str | None


class RedLetterFormOut(BaseModel):
    """A form as the caller's company sees it."""

    id: int
    blue_number: str
    state: str = Field(description="01 无需确认 … 09 确认后撤销，见税务规则")
    state_label: str
    initiator: str = Field(description="seller 或 buyer")
    reason: str
    reason_label: str
    lines: list[FormPartOut]
    entered_at: datetime
    entered_by: str
    deadline: datetime
    answered_at: datetime | None
    answered_by: str | None
    red_number: str | None
    your_side: str
    awaiting_you: bool

    @classmethod
    def of(cls, view: FormView) -> "RedLetterFormOut":
        """From the service."""
        stored, form = view.stored, view.stored.form
        return cls(
            id=stored.id,
            blue_number=form.blue_number,
            state=view.state.value,
            state_label=view.state.label,
            initiator=form.initiator.value,
            reason=form.reason.value,
            reason_label=form.reason.label,
            lines=[
                FormPartOut(line_no=part.line_no, amount=_amount(part.amount))
                for part in form.parts
            ],
            entered_at=form.entered_at,
            entered_by=stored.entered_by,
            deadline=form.deadline,
            answered_at=stored.answered_at,
            answered_by=stored.answered_by,
            red_number=stored.red_number,
            your_side=view.side.value,
            awaiting_you=view.awaiting_you,
        )


class OutcomeOut(BaseModel):
    """The form, and the red-letter invoice issued on it by this request, if any."""

    form: RedLetterFormOut
    red_invoice: InvoiceOut | None

    @classmethod
    def of(cls, outcome: RedLetterOutcome, at: datetime) -> "OutcomeOut":
        """From the service; `at` is the invoice service's now (InvoiceOut.of)."""
        red = InvoiceOut.of(outcome.red, at) if outcome.red else None
        return cls(form=RedLetterFormOut.of(outcome.form), red_invoice=red)


class FormPage(BaseModel):
    """One page of forms, newest first."""

    items: list[RedLetterFormOut]
    total: int
    page: int
    size: int


def red_letter_request(body: RedLetterIn) -> RedLetterRequest:
    """The service's request from the body shared by both red-letter endpoints."""
    parts = [RedLinePart(part.line_no, part.amount) for part in body.lines]
    return RedLetterRequest(body.reason, parts)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=OutcomeOut | ApprovalOut,
    responses=HELD_FOR_APPROVAL,
)
async def enter(
    body: FormIn, who: CurrentPrincipal, core: CoreDep, response: Response
) -> OutcomeOut | ApprovalOut:
    """填开红字确认单（销售方或购买方均可发起）；无需对方确认时立即开具红字发票。

    销售方企业规定红冲须审批时返回 202 和审批申请，审批通过后再填开。
    """
    request = red_letter_request(body)
    outcome = await to_thread.run_sync(core.approvals.red_letter, who, body.number, request)
    if isinstance(outcome, ApprovalView):
        response.status_code = status.HTTP_202_ACCEPTED
        return ApprovalOut.of(outcome)
    return OutcomeOut.of(outcome, core.invoices.now())


@router.get("", response_model=FormPage)
async def search(
    who: CurrentPrincipal,
    core: CoreDep,
    state: ConfirmationState | None = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> FormPage:
    """本企业作为销售方或购买方的红字确认单，可按状态筛选（02/03 为待确认）。"""
    found = await to_thread.run_sync(core.red_letters.search, who, state, page, size)
    items = [RedLetterFormOut.of(view) for view in found.items]
    return FormPage(items=items, total=found.total, page=found.page, size=found.size)


@router.get("/{form_id}", response_model=RedLetterFormOut)
async def get(form_id: FormId, who: CurrentPrincipal, core: CoreDep) -> RedLetterFormOut:
    """查看一张红字确认单。"""
    return RedLetterFormOut.of(await to_thread.run_sync(core.red_letters.get, who, form_id))


@router.post("/{form_id}/confirm", response_model=OutcomeOut)
async def confirm(form_id: FormId, who: CurrentPrincipal, core: CoreDep) -> OutcomeOut:
    """确认对方发起的红字确认单，系统随即开具红字发票。"""
    outcome = await to_thread.run_sync(core.red_letters.confirm, who, form_id)
    return OutcomeOut.of(outcome, core.invoices.now())


@router.post("/{form_id}/deny", response_model=OutcomeOut)
async def deny(form_id: FormId, who: CurrentPrincipal, core: CoreDep) -> OutcomeOut:
    """否认对方发起的红字确认单，确认单作废。"""
    outcome = await to_thread.run_sync(core.red_letters.deny, who, form_id)
    return OutcomeOut.of(outcome, core.invoices.now())


@router.post("/{form_id}/withdraw", response_model=OutcomeOut)
async def withdraw(form_id: FormId, who: CurrentPrincipal, core: CoreDep) -> OutcomeOut:
    """撤销本方发起、尚未开具红字发票的确认单。"""
    outcome = await to_thread.run_sync(core.red_letters.withdraw, who, form_id)
    return OutcomeOut.of(outcome, core.invoices.now())


def _amount(amount: Decimal | None) -> str | None:
    return None if amount is None else f"{amount:.2f}"
