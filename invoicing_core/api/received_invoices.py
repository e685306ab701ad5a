"""The received-invoice ledger (收票台账): record, search, view, move, download, sum, export."""

from datetime import date, datetime
from typing import Annotated
from urllib.parse import quote

from anyio import to_thread
from fastapi import APIRouter, Depends, Path, Query, Response, status

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.api.received_invoice_schemas import (
    ReceivedInvoiceOut,
    ReceivedInvoicePage,
    ReceivedSummaryOut,
    RecordIn,
    StateIn,
)
from invoicing_core.domain.dates import check_date
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.received_invoice import ReceiptState
from invoicing_core.domain.text import invoice_text
from invoicing_core.persistence.received_invoice_repository import ReceiptFilter
from invoicing_core.services.received_invoice_export import ledger_workbook

router = APIRouter(prefix="/received-invoices", tags=["received invoices"])

ReceiptId = Annotated[int, Path(ge=1, le=2**31 - 1)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ledger_filter(
    number: Annotated[
        str | None,
        Query(max_length=32, pattern=r"^[0-9]+$", description="发票号码（纸质发票可含代码）"),
    ] = None,
    seller: Annotated[
        str | None, Query(max_length=100, description="销售方名称包含，或其纳税人识别号")
    ] = None,
    from_: Annotated[date | None, Query(alias="from", description="开票日期起（含）")] = None,
    to: Annotated[date | None, Query(description="开票日期止（含）")] = None,
    state: ReceiptState | None = None,
    kind: InvoiceKind | None = None,
) -> ReceiptFilter:
    """The search shared by the list and the export."""
    return ReceiptFilter(
        number=number,
        seller=invoice_text(seller, field="seller", label="销售方") or None if seller else None,
        date_from=check_date(from_, "from") if from_ else None,
        date_to=check_date(to, "to") if to else None,
        state=state,
        kind=kind,
    )


Filter = Annotated[ReceiptFilter, Depends(ledger_filter)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ReceivedInvoiceOut)
async def record(body: RecordIn, who: CurrentPrincipal, core: CoreDep) -> ReceivedInvoiceOut:
    """把识别结果录入收票台账，可更正识别有误的字段（标记为已更正，保留原识别值）。

    同一发票（种类、代码、号码）已录入时返回 409 duplicate_received_invoice，
    说明何时由谁录入及其状态。
    """
    view = await to_thread.run_sync(
        core.received_invoices.record, who, body.recognition_id, body.checked_corrections()
    )
    return ReceivedInvoiceOut.of(view)


@router.get("", response_model=ReceivedInvoicePage)
async def search(
    who: CurrentPrincipal,
    core: CoreDep,
    where: Filter,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> ReceivedInvoicePage:
    """按号码、销售方、开票日期、状态和种类查询收票台账，分页返回，最新录入的在前。"""
    found = await to_thread.run_sync(core.received_invoices.search, who, where, page, size)
    return ReceivedInvoicePage(
        items=[ReceivedInvoiceOut.of(view) for view in found.items],
        total=found.total,
        page=found.page,
        size=found.size,
    )


@router.get("/export.xlsx", response_class=Response)
async def export(who: CurrentPrincipal, core: CoreDep, where: Filter) -> Response:
    """导出收票台账（.xlsx），条件同查询，最多10000行。"""
    views = await to_thread.run_sync(core.received_invoices.all_matching, who, where)
    content = await to_thread.run_sync(ledger_workbook, views)
    return Response(
        content,
        media_type=XLSX,
        headers={"Content-Disposition": "attachment; filename*=UTF-8''received-invoices.xlsx"},
    )


@router.get("/summary", response_model=ReceivedSummaryOut)
async def summary(
    who: CurrentPrincipal,
    core: CoreDep,
    month: Annotated[
        str | None,
        Query(pattern=r"^(19|2[0-9])[0-9]{2}-(0[1-9]|1[0-2])$", description="YYYY-MM，默认本月"),
    ] = None,
) -> ReceivedSummaryOut:
    """某月收到的发票按种类汇总（按开票日期，已拒收的不计），供进项抵扣规划。"""
    first = (
        date.fromisoformat(f"{month}-01") if month else datetime.now(CHINA_TZ).date().replace(day=1)
    )
    found = await to_thread.run_sync(
        core.received_invoices.month_totals, who, check_date(first, "month")
    )
    return ReceivedSummaryOut.of(found)


@router.get("/{receipt_id}", response_model=ReceivedInvoiceOut)
async def get(receipt_id: ReceiptId, who: CurrentPrincipal, core: CoreDep) -> ReceivedInvoiceOut:
    """查看台账中的一张发票：字段、状态历史，及与本系统开具发票的核验结果。"""
    return ReceivedInvoiceOut.of(
        await to_thread.run_sync(core.received_invoices.get, who, receipt_id)
    )


@router.post("/{receipt_id}/state", response_model=ReceivedInvoiceOut)
async def change_state(
    receipt_id: ReceiptId, body: StateIn, who: CurrentPrincipal, core: CoreDep
) -> ReceivedInvoiceOut:
    """更改状态：已录入的发票可改为已报销、已抵扣或已拒收；其他更改返回 409。"""
    view = await to_thread.run_sync(
        core.received_invoices.change_state, who, receipt_id, body.state, body.note
    )
    return ReceivedInvoiceOut.of(view)


@router.get("/{receipt_id}/original", response_class=Response)
async def original(receipt_id: ReceiptId, who: CurrentPrincipal, core: CoreDep) -> Response:
    """下载录入时上传的原始文件。"""
    found = await to_thread.run_sync(core.received_invoices.original, who, receipt_id)
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.name)}"},
    )
