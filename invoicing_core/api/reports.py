"""GET /reports/summary: a day's, month's or year's invoicing."""

from datetime import date, datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Query
from pydantic import BaseModel

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.domain.money import format_money
from invoicing_core.persistence.report_repository import Totals
from invoicing_core.services.reports import Period, Summary

router = APIRouter(prefix="/reports", tags=["reports"])


class TotalsOut(BaseModel):
    """One group of a breakdown."""

    key: str
    count: int
    total_amount: str
    total_tax: str
    total_with_tax: str

    @classmethod
    def of(cls, totals: Totals) -> "TotalsOut":
        """From the service."""
        return cls(
            key=totals.key,
            count=totals.count,
            total_amount=format_money(totals.amount),
            total_tax=format_money(totals.tax),
            total_with_tax=format_money(totals.amount + totals.tax),
        )


class SummaryOut(BaseModel):
    """Counts and net totals (voided invoices excluded, red-letter ones negative)."""

    period: Period
    start: datetime
    end: datetime
    count: int
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
            total_amount=format_money(found.total_amount),
            total_tax=format_money(found.total_tax),
            total_with_tax=format_money(found.total_amount + found.total_tax),
            by_kind=[TotalsOut.of(t) for t in found.by_kind],
            by_rate=[TotalsOut.of(t) for t in found.by_rate],
            by_status=[TotalsOut.of(t) for t in found.by_status],
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
