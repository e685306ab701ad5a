"""Invoices in the database: the domain aggregate in, the domain aggregate out."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, Select, func, insert, select, update

from invoicing_core.domain.invoice import CHINA_TZ, Invoice, InvoiceStatus, VoidRecord
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party
from invoicing_core.domain.receipt_verification import IssuedFacts
from invoicing_core.domain.red_letter import RedLetterReason
from invoicing_core.domain.tax_rate import TaxRate
from invoicing_core.persistence.tables import invoice_lines, invoices


@dataclass(frozen=True)
class InvoiceFilter:
    """What to search for; every part is optional."""

    number: str | None = None
    issued_from: datetime | None = None
    issued_before: datetime | None = None
    buyer: str | None = None
    status: InvoiceStatus | None = None
    kind: InvoiceKind | None = None
    min_total: Decimal | None = None
    max_total: Decimal | None = None


def add(connection: Connection, invoice: Invoice, company_id: int, issued_by: str) -> None:
    """Store a newly issued invoice and its lines."""
    add_many(connection, [invoice], company_id, issued_by)


def add_many(
    connection: Connection, issued: Sequence[Invoice], company_id: int, issued_by: str
) -> None:
    """Store newly issued invoices and their lines in a few round trips."""
    ids = (
        connection.execute(
            insert(invoices).returning(invoices.c.id, sort_by_parameter_order=True),
            [_invoice_row(invoice, company_id, issued_by) for invoice in issued],
        )
        .scalars()
        .all()
    )
    connection.execute(
        insert(invoice_lines),
        [
            {"invoice_id": invoice_id, "line_no": line_no, **_line_row(line)}
            for invoice_id, invoice in zip(ids, issued, strict=True)
            for line_no, line in enumerate(invoice.lines, 1)
        ],
    )


def _invoice_row(invoice: Invoice, company_id: int, issued_by: str) -> dict[str, Any]:
    return {
        "company_id": company_id,
        "number": invoice.identifier,
        "code": invoice.code,
        "kind": invoice.kind.value,
        "status": invoice.status.value,
        "buyer_name": invoice.buyer.name,
        "buyer_tax_id": invoice.buyer.tax_id,
        "buyer": asdict(invoice.buyer),
        "seller": asdict(invoice.seller),
        "total_amount": invoice.total_amount,
        "total_tax": invoice.total_tax,
        "total_with_tax": invoice.total_with_tax,
        "remark": invoice.remark,
        "issued_at": invoice.issued_at,
        "issued_by": issued_by,
        "red_of": invoice.red_of,
        "red_reason": invoice.red_reason.value if invoice.red_reason else None,
        "reported": invoice.reported,
        "certified": invoice.certified,
    }


def save_state(connection: Connection, invoice: Invoice) -> None:
    """Store what voiding or red-lettering changed: the status and the void record."""
    voided = invoice.voided
    connection.execute(
        update(invoices)
        .where(invoices.c.number == invoice.identifier)
        .values(
            status=invoice.status.value,
            void_reason=voided.reason if voided else None,
            voided_by=voided.by if voided else None,
            voided_at=voided.at if voided else None,
        )
    )


def get(
    connection: Connection, identifier: str, company_id: int, *, lock: bool = False
) -> Invoice | None:
    """The company's invoice so named, with its red-letter invoices; None if none.

    `identifier` is the digital number, or a paper invoice's code followed by its number.
    """
    query = select(invoices).where(
        invoices.c.number == identifier, invoices.c.company_id == company_id
    )
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _assembled(connection, [row])[0]


def owner_of(connection: Connection, identifier: str) -> tuple[int, str | None] | None:
    """The seller's company and the buyer's taxpayer id of the invoice so named, if any."""
    row = connection.execute(
        select(invoices.c.company_id, invoices.c.buyer_tax_id).where(
            invoices.c.number == identifier
        )
    ).first()
    return None if row is None else (row.company_id, row.buyer_tax_id)


def issued_to(
    connection: Connection, buyer_tax_id: str, identifiers: Sequence[str]
) -> dict[str, IssuedFacts]:
    """What is known now of the invoices so named that were issued to this buyer, by name."""
    if not identifiers:
        return {}
    rows = connection.execute(
        select(invoices).where(
            invoices.c.number.in_(set(identifiers)), invoices.c.buyer_tax_id == buyer_tax_id
        )
    )
    return {
        row.number: IssuedFacts(
            status=InvoiceStatus(row.status),
            invoice_date=row.issued_at.astimezone(CHINA_TZ).date(),
            seller_tax_id=row.seller["tax_id"],
            buyer_tax_id=row.buyer_tax_id,
            amount=Decimal(row.total_amount),
            tax=Decimal(row.total_tax),
            total_with_tax=Decimal(row.total_with_tax),
        )
        for row in rows
    }


def search(
    connection: Connection, company_id: int, where: InvoiceFilter, page: int, size: int
) -> tuple[list[Invoice], int]:
    """One page of the company's invoices matching `where`, newest first, and the total count."""
    query = _filtered(select(invoices).where(invoices.c.company_id == company_id), where)
    total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = connection.execute(
        query.order_by(invoices.c.issued_at.desc(), invoices.c.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return _assembled(connection, rows), total


def _assembled(connection: Connection, rows: Sequence[Row[Any]]) -> list[Invoice]:
    """The invoices of `rows` with their lines and red-letter invoices, which set the status."""
    reds = (
        connection.execute(
            select(invoices).where(invoices.c.red_of.in_([row.number for row in rows]))
        ).all()
        if rows
        else []
    )
    lines = _lines_of(connection, [row.id for row in (*rows, *reds)])
    found = [_invoice(row, lines[row.id]) for row in rows]
    by_identifier = {invoice.identifier: invoice for invoice in found}
    for red in reds:
        by_identifier[red.red_of].red_letters.append(_invoice(red, lines[red.id]))
    return found


def _filtered(query: Select[Any], where: InvoiceFilter) -> Select[Any]:
    column = invoices.c
    conditions = [
        column.number == where.number if where.number else None,
        column.issued_at >= where.issued_from if where.issued_from else None,
        column.issued_at < where.issued_before if where.issued_before else None,
        column.buyer_name.contains(where.buyer, autoescape=True) if where.buyer else None,
        column.status == where.status.value if where.status else None,
        column.kind == where.kind.value if where.kind else None,
        column.total_with_tax >= where.min_total if where.min_total is not None else None,
        column.total_with_tax <= where.max_total if where.max_total is not None else None,
    ]
    return query.where(*(condition for condition in conditions if condition is not None))


def _lines_of(connection: Connection, invoice_ids: Sequence[int]) -> dict[int, list[InvoiceLine]]:
    lines: dict[int, list[InvoiceLine]] = defaultdict(list)
    if invoice_ids:
        rows = connection.execute(
            select(invoice_lines)
            .where(invoice_lines.c.invoice_id.in_(invoice_ids))
            .order_by(invoice_lines.c.invoice_id, invoice_lines.c.line_no)
        )
        for row in rows:
            lines[row.invoice_id].append(_line(row))
    return lines


def _line_row(line: InvoiceLine) -> dict[str, Any]:
    return {
        "name": line.name,
        "tax_code": line.tax_code,
        "spec": line.spec,
        "unit": line.unit,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "amount": line.amount,
        "tax_rate": line.tax_rate.value,
        "tax": line.tax,
        "blue_line_no": line.blue_line_no,
    }


def _line(row: Row[Any]) -> InvoiceLine:
    # Numeric columns come back with the column's scale; the domain keeps exact values.
    return InvoiceLine(
        name=row.name,
        amount=Decimal(row.amount),
        tax_rate=TaxRate(row.tax_rate),
        tax=Decimal(row.tax),
        quantity=None if row.quantity is None else Decimal(row.quantity).normalize(),
        unit_price=None if row.unit_price is None else Decimal(row.unit_price).normalize(),
        tax_code=row.tax_code,
        spec=row.spec,
        unit=row.unit,
        blue_line_no=row.blue_line_no,
    )


def _invoice(row: Row[Any], lines: list[InvoiceLine]) -> Invoice:
    voided = VoidRecord(row.void_reason, row.voided_by, row.voided_at) if row.voided_at else None
    return Invoice(
        number=row.number[len(row.code) :] if row.code else row.number,
        code=row.code,
        kind=InvoiceKind(row.kind),
        seller=Party(**row.seller),
        buyer=Party(**row.buyer),
        lines=tuple(lines),
        issued_at=row.issued_at,
        issued_by=row.issued_by,
        remark=row.remark,
        red_of=row.red_of,
        red_reason=RedLetterReason(row.red_reason) if row.red_reason else None,
        reported=row.reported,
        certified=row.certified,
        voided=voided,
    )


def has_invoiced(
    connection: Connection, company_id: int, buyer_name: str, tax_id: str | None
) -> bool:
    """Whether the company issued any invoice to this buyer before: by taxpayer id, or by
    name for a buyer without one."""
    where = (
        invoices.c.buyer_tax_id == tax_id
        if tax_id
        else (invoices.c.buyer_tax_id.is_(None)) & (invoices.c.buyer_name == buyer_name)
    )
    found = connection.execute(
        select(invoices.c.id).where(invoices.c.company_id == company_id, where).limit(1)
    )
    return found.first() is not None
