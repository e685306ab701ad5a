"""GET /reports/summary: a day's, month's or year's invoicing."""

from datetime import date, datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query
from pydantic import BaseModel

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.domain.invoice import CHINA_TZ, status_group_label
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.money import format_money
from invoicing_core.persistence.report_repository import Totals
from invoicing_core.services.reports import Period, Summary

router = APIRouter(prefix="/reports", tags=["reports"])


class TotalsOut(BaseModel):
    """One group of a breakdown."""

    key: str
    label: str
    count: int
    total_amount: str
    total_tax: str
    total_with_tax: str

    @classmethod
    def of(cls, totals: Totals, label: str) -> "TotalsOut":
        """From the service, with the group's name as users know it."""
        return cls(
            key=totals.key,
            label=label,
            count=totals.count,
            total_amount=format_money(totals.amount),
            total_tax=format_money(totals.tax),
            total_with_tax=format_money(totals.amount + totals.tax),
        )


class SummaryOut(BaseModel):
    """Counts and net totals (voided invoices excluded, red-letter ones negative).

    `by_kind` and `by_rate` add up to `count` and the totals (an invoice with lines at two
    rates counts under both); `by_status` also lists the voided ones.
    """

    period: Period
    start: datetime
    end: datetime
    count: int
    voided_count: int
    total_amount: str
    total_tax: str
    total_with_tax: str
    by_kind: list[TotalsOut]
    by_rate: list[TotalsOut]
    by_status: list[TotalsOut]

    @classmethod
    def of(cls, found: Summary) -> "SummaryOut":
        """From the service."""
        return cls(
            period=found.period,
            start=found.start,
            end=found.end,
            count=found.count,
            voided_count=found.voided_count,
            total_amount=format_money(found.total_amount),
            total_tax=format_money(found.total_tax),
            total_with_tax=format_money(found.total_amount + found.total_tax),
            by_kind=[TotalsOut.of(t, InvoiceKind(t.key).label) for t in found.by_kind],
            by_rate=[TotalsOut.of(t, t.key) for t in found.by_rate],
            by_status=[TotalsOut.of(t, status_group_label(t.key)) for t in found.by_status],
        )


@router.get("/summary", response_model=SummaryOut)
async def summary(
    who: CurrentPrincipal,
    core: CoreDep,
    period: Period = Period.MONTH,
    date_: Annotated[date | None, Query(alias="date", description="期间内任一天，默认今天")] = None,
) -> SummaryOut:
    """按日、月、年汇总开票：份数、金额、税额，按类型、税率和状态分列。"""
    day = date_ or datetime.now(CHINA_TZ).date()
    return SummaryOut.of(await to_thread.run_sync(core.reports.summary, who, period, day))
