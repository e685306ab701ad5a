"""Daily, monthly and yearly summaries of a company's invoicing."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from enum import Enum

from sqlalchemy import Engine

from invoicing_core.domain.dates import check_date
from invoicing_core.domain.errors import Forbidden
from invoicing_core.domain.invoice import CHINA_TZ, InvoiceStatus
from invoicing_core.persistence import report_repository
from invoicing_core.persistence.report_repository import Totals
from invoicing_core.services.accounts import Principal


class Period(Enum):
    """The span a summary covers."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        """Start (inclusive) and end (exclusive) in China time of the period holding `day`.

        Defined for the dates check_date accepts; near datetime's limits they overflow.
        """
        if self is Period.DAY:
            first, after = day, date.fromordinal(day.toordinal() + 1)
        elif self is Period.MONTH:
            first = day.replace(day=1)
            after = date(day.year + day.month // 12, day.month % 12 + 1, 1)
        else:
            first, after = date(day.year, 1, 1), date(day.year + 1, 1, 1)
        return (
            datetime.combine(first, time(), tzinfo=CHINA_TZ),
            datetime.combine(after, time(), tzinfo=CHINA_TZ),
        )


@dataclass(frozen=True)
class Summary:
    """A period's invoicing: totals over what is not voided, and the breakdowns."""

    period: Period
    start: datetime
    end: datetime
    by_kind: list[Totals]
    by_status: list[Totals]
    by_rate: list[Totals]

    @property
    def count(self) -> int:
        """Invoices issued in the period and not voided (red-letter invoices included)."""
        return sum(totals.count for totals in self.by_kind)

    @property
    def voided_count(self) -> int:
        """Invoices issued in the period and voided since."""
        voided = InvoiceStatus.VOIDED.value
        return sum(totals.count for totals in self.by_status if totals.key == voided)

    @property
    def total_amount(self) -> Decimal:
        """Net tax-exclusive amount (red-letter invoices subtract)."""
        return sum((totals.amount for totals in self.by_kind), Decimal(0))

    @property
    def total_tax(self) -> Decimal:
        """Net tax."""
        return sum((totals.tax for totals in self.by_kind), Decimal(0))


class ReportService:
    """Summaries for the users of one company."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def summary(self, who: Principal, period: Period, day: date) -> Summary:
        """The company's invoicing in the period that holds `day`."""
        if who.company_id is None:
            raise Forbidden("该账号不属于任何企业，不能查看报表。")
        start, end = period.bounds(check_date(day, "date"))
        with self._engine.connect() as connection:
            args = (connection, who.company_id, start, end)
            return Summary(
                period,
                start,
                end,
                by_kind=report_repository.totals_by(*args, "kind"),
                by_status=report_repository.totals_by(*args, "status"),
                by_rate=report_repository.totals_by_rate(*args),
            )
