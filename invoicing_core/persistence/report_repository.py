"""Sums over a company's invoices for reports."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ColumnElement, Connection, case, distinct, func, literal, select

from invoicing_core.domain.invoice import RED_LETTER_GROUP, InvoiceStatus
from invoicing_core.persistence.tables import invoice_lines, invoices


@dataclass(frozen=True)
class Totals:
    """How many invoices and their summed amounts (red-letter invoices count negative)."""

    key: str
    count: int
    amount: Decimal
    tax: Decimal


def _in_period(company_id: int, start: datetime, end: datetime) -> list[ColumnElement[bool]]:
    return [
        invoices.c.company_id == company_id,
        invoices.c.issued_at >= start,
        invoices.c.issued_at < end,
    ]


def totals_by(
    connection: Connection, company_id: int, start: datetime, end: datetime, column: str
) -> list[Totals]:
    """Totals grouped by an invoice column (`kind` or `status`; under `status` the
    red-letter invoices are the group RED_LETTER_GROUP).

    Voided invoices are counted and summed only in the `status` breakdown, under their
    own status; elsewhere they are left out, so every breakdown adds up to its total.
    """
    group: ColumnElement[str] = invoices.c[column]
    if column == "status":
        red = invoices.c.red_of.is_not(None)
        group = case((red, literal(RED_LETTER_GROUP)), else_=invoices.c.status)
    live = invoices.c.status != InvoiceStatus.VOIDED.value
    rows = connection.execute(
        select(
            group,
            func.count() if column == "status" else func.count().filter(live),
            func.coalesce(func.sum(invoices.c.total_amount).filter(live), 0),
            func.coalesce(func.sum(invoices.c.total_tax).filter(live), 0),
        )
        .where(*_in_period(company_id, start, end))
        .group_by(group)
        .order_by(group)
    )
    return [
        Totals(key, count, Decimal(amount), Decimal(tax))
        for key, count, amount, tax in rows
        if count
    ]


def totals_by_rate(
    connection: Connection, company_id: int, start: datetime, end: datetime
) -> list[Totals]:
    """Line totals grouped by tax rate over the invoices not voided; `count` is of invoices."""
    rows = connection.execute(
        select(
            invoice_lines.c.tax_rate,
            func.count(distinct(invoices.c.id)),
            func.coalesce(func.sum(invoice_lines.c.amount), 0),
            func.coalesce(func.sum(invoice_lines.c.tax), 0),
        )
        .join(invoices, invoices.c.id == invoice_lines.c.invoice_id)
        .where(*_in_period(company_id, start, end))
        .where(invoices.c.status != InvoiceStatus.VOIDED.value)
        .group_by(invoice_lines.c.tax_rate)
        .order_by(invoice_lines.c.tax_rate)
    )
    return [Totals(key, count, Decimal(amount), Decimal(tax)) for key, count, amount, tax in rows]
