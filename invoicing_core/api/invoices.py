"""The invoice endpoints: issue, get, search, void and red-letter."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from functools import partial
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, File, Form, Header, Path, Query, Response, UploadFile, status

from invoicing_core.api.approval_schemas import HELD_FOR_APPROVAL, ApprovalOut
from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.red_letter_forms import RedLetterFormOut, red_letter_request
from invoicing_core.api.schemas import (
    BatchOut,
    BatchPreviewOut,
    InvoiceOut,
    InvoicePage,
    InvoicePreviewOut,
    IssueIn,
    RedLetterIn,
    VoidIn,
)
from invoicing_core.api.uploads import megabytes, read_within
from invoicing_core.batch import BatchTooLarge, write_batch_template
from invoicing_core.core import InvoicingCore
from invoicing_core.domain.dates import check_date
from invoicing_core.domain.invoice import CHINA_TZ, InvoiceStatus
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.pdf import render_invoice_pdf
from invoicing_core.persistence.invoice_repository import InvoiceFilter
from invoicing_core.services.approval_outcomes import ApprovalView

router = APIRouter(prefix="/invoices", tags=["invoices"])

Number = Annotated[str, Path(min_length=1, max_length=20, pattern=r"^\d+$")]
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=128)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=InvoiceOut | ApprovalOut,
    responses=HELD_FOR_APPROVAL,
)
async def issue(
    body: IssueIn,
    who: CurrentPrincipal,
    core: CoreDep,
    response: Response,
    key: IdempotencyKey = None,
) -> InvoiceOut | ApprovalOut:
    """开具发票；带相同 Idempotency-Key 的重试返回第一次开具的发票（或审批申请）。

    符合本企业审批规则时不开具，返回 202 和审批申请（冻结的预览内容），审批通过后开具。
    """
    outcome = await to_thread.run_sync(core.approvals.issue, who, body.to_request(), key)
    if isinstance(outcome, ApprovalView):
        response.status_code = status.HTTP_202_ACCEPTED
        return ApprovalOut.of(outcome)
    return InvoiceOut.of(outcome, core.invoices.now())


@router.post("/preview", response_model=InvoicePreviewOut)
async def preview(body: IssueIn, who: CurrentPrincipal, core: CoreDep) -> InvoicePreviewOut:
    """预览将开具的发票（金额、税额、价税合计及大写），按全部开票规则校验，但不开具、不占号。"""
    invoice = await to_thread.run_sync(core.invoices.preview, who, body.to_request())
    return InvoicePreviewOut.of(invoice)


BatchFile = Annotated[UploadFile, File(description="批量开票模板 .xlsx 或 .csv，不超过10MB")]


@router.post("/batch", response_model=BatchOut | ApprovalOut, responses=HELD_FOR_APPROVAL)
async def batch(
    who: CurrentPrincipal,
    core: CoreDep,
    file: BatchFile,
    response: Response,
    issue_valid: Annotated[bool, Form(description="有错误行时仍开具其余正确的发票")] = False,
) -> BatchOut | ApprovalOut:
    """按税务局批量开票模板开具数电发票：逐行校验，有错误行时默认整批不开具。

    本批有发票符合本企业审批规则时整批不开具，返回 202 和一份批量审批申请（action 为
    batch，冻结全部发票），审批通过后整批开具。
    """
    data = await _batch_bytes(file, core)
    outcome = await to_thread.run_sync(
        core.batches.issue_file, who, data, file.filename or "", issue_valid
    )
    if outcome.approval is not None:
        response.status_code = status.HTTP_202_ACCEPTED
        return ApprovalOut.of(ApprovalView(outcome.approval, core.invoices.now(), False))
    return BatchOut.of(outcome)


@router.post("/batch/preview", response_model=BatchPreviewOut)
async def batch_preview(who: CurrentPrincipal, core: CoreDep, file: BatchFile) -> BatchPreviewOut:
    """预览批量开票：逐行校验并列出将开具的发票、价税合计和错误行，但不开具、不占号。"""
    data = await _batch_bytes(file, core)
    preview = await to_thread.run_sync(core.batches.preview_file, who, data, file.filename or "")
    return BatchPreviewOut.of(preview)


async def _batch_bytes(file: UploadFile, core: InvoicingCore) -> bytes:
    largest = core.batches.max_file_bytes
    data = await read_within(file, largest)
    if data is None:
        raise BatchTooLarge(f"文件超过{megabytes(largest)}，请拆分后分批上传。")
    return data


@router.get("/batch/template", response_class=Response)
async def batch_template() -> Response:
    """下载批量开票模板（.xlsx，含填写说明）。"""
    return Response(
        write_batch_template(),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename*=UTF-8''batch-template.xlsx"},
    )


@router.get("/{number}/pdf", response_class=Response)
async def pdf(number: Number, who: CurrentPrincipal, core: CoreDep) -> Response:
    """下载发票 PDF。"""
    invoice = await to_thread.run_sync(core.invoices.get, who, number)
    document = await to_thread.run_sync(
        lambda: render_invoice_pdf(invoice, issuer=invoice.issued_by)
    )
    return Response(
        document,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{invoice.identifier}.pdf"'},
    )


@router.get("/{number}", response_model=InvoiceOut)
async def get(number: Number, who: CurrentPrincipal, core: CoreDep) -> InvoiceOut:
    """按发票号码查看一张发票；void 说明现在能否作废，不能时给出原因（与作废时的 409 相同）。"""
    invoice = await to_thread.run_sync(core.invoices.get, who, number)
    return InvoiceOut.of(invoice, core.invoices.now())


@router.get("", response_model=InvoicePage)
async def search(
    who: CurrentPrincipal,
    core: CoreDep,
    number: Annotated[str | None, Query(max_length=20, pattern=r"^\d+$")] = None,
    from_: Annotated[date | None, Query(alias="from", description="开票日期起（含）")] = None,
    to: Annotated[date | None, Query(description="开票日期止（含）")] = None,
    buyer: Annotated[str | None, Query(max_length=100, description="购买方名称包含")] = None,
    status: InvoiceStatus | None = None,
    kind: InvoiceKind | None = None,
    min_total: Annotated[Decimal | None, Query(ge=0, max_digits=15, decimal_places=2)] = None,
    max_total: Annotated[Decimal | None, Query(ge=0, max_digits=15, decimal_places=2)] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> InvoicePage:
    """按号码、日期范围、购买方、状态、类型和价税合计范围查询发票，分页返回。"""
    where = InvoiceFilter(
        number=number,
        issued_from=_china_midnight(from_, "from"),
        issued_before=_china_midnight(to, "to", days_later=1),
        buyer=buyer.strip() if buyer else None,
        status=status,
        kind=kind,
        min_total=min_total,
        max_total=max_total,
    )
    found = await to_thread.run_sync(core.invoices.search, who, where, page, size)
    now = core.invoices.now()
    return InvoicePage(
        items=[InvoiceOut.of(invoice, now) for invoice in found.items],
        total=found.total,
        page=found.page,
        size=found.size,
    )


@router.post("/{number}/void", response_model=InvoiceOut | ApprovalOut, responses=HELD_FOR_APPROVAL)
async def void(
    number: Number, body: VoidIn, who: CurrentPrincipal, core: CoreDep, response: Response
) -> InvoiceOut | ApprovalOut:
    """作废发票（仅限当月、未抄税未认证的纸质发票）；不能作废时返回 409 并说明原因。

    409 的 code：void_not_allowed（可改为开具红字发票冲销），或
    invoice_not_voidable_in_status（已作废、已红冲或部分红冲，或本身是红字发票）。
    本企业规定作废须审批时返回 202 和审批申请。
    """
    outcome = await to_thread.run_sync(core.approvals.void, who, number, body.reason)
    if isinstance(outcome, ApprovalView):
        response.status_code = status.HTTP_202_ACCEPTED
        return ApprovalOut.of(outcome)
    return InvoiceOut.of(outcome, core.invoices.now())


@router.post(
    "/{number}/red-letter",
    status_code=status.HTTP_201_CREATED,
    response_model=InvoiceOut | RedLetterFormOut | ApprovalOut,
    responses={
        202: {
            "model": RedLetterFormOut | ApprovalOut,
            "description": "确认单已填开，待对方确认；或须经审批，已提交审批申请",
        }
    },
)
async def red_letter(
    number: Number, body: RedLetterIn, who: CurrentPrincipal, core: CoreDep, response: Response
) -> InvoiceOut | RedLetterFormOut | ApprovalOut:
    """开具红字发票，全额（不传 lines）或按行部分冲销。

    无需购买方确认时返回 201 和红字发票；需要确认时（部分红冲，或购买方已确认用途）
    填开红字确认单并返回 202 和确认单，购买方确认后系统自动开具。本企业规定红冲须审批时
    返回 202 和审批申请（带 action 字段），审批通过后再办理。
    """
    enter = partial(core.approvals.red_letter, seller_only=True)
    outcome = await to_thread.run_sync(enter, who, number, red_letter_request(body))
    if isinstance(outcome, ApprovalView):
        response.status_code = status.HTTP_202_ACCEPTED
        return ApprovalOut.of(outcome)
    if outcome.red is None:
        response.status_code = status.HTTP_202_ACCEPTED
        return RedLetterFormOut.of(outcome.form)
    return InvoiceOut.of(outcome.red, core.invoices.now())


def _china_midnight(day: date | None, field: str, days_later: int = 0) -> datetime | None:
    """The start, in China time, of the day `days_later` after `day`, a supported date."""
    if day is None:
        return None
    later = check_date(day, field) + timedelta(days=days_later)
    return datetime.combine(later, time(), tzinfo=CHINA_TZ)
