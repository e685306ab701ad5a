"""The received-invoice ledger in the database: entries, their history and original files."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, Select, func, insert, or_, select, update

from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.received_invoice import ReceiptState, ReceivedInvoice, StateChange
from invoicing_core.persistence.tables import received_invoice_transitions as transitions
from invoicing_core.persistence.tables import received_invoices


@dataclass(frozen=True)
class OriginalFile:
    """An uploaded invoice document, as received."""

    name: str
    media_type: str
    content: bytes


@dataclass(frozen=True)
class Receipt:
    """A ledger entry: the invoice's facts, its fields as read and corrected, its state."""

    id: int
    company_id: int
    invoice: ReceivedInvoice
    fields: dict[str, Any]
    recognition: dict[str, Any]
    state: ReceiptState
    recorded: StateChange
    file_name: str
    media_type: str


@dataclass(frozen=True)
class ReceiptFilter:
    """What to search for; every part is optional."""

    number: str | None = None
    seller: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    state: ReceiptState | None = None
    kind: InvoiceKind | None = None


@dataclass(frozen=True)
class KindTotals:
    """How many received invoices of a kind, and their summed money."""

    kind: InvoiceKind
    count: int
    amount: Decimal
    tax: Decimal
    total_with_tax: Decimal


# Every column but the file, which only the download reads.
_LISTED = [column for column in received_invoices.c if column.name != "file_content"]


def add(
    connection: Connection,
    company_id: int,
    invoice: ReceivedInvoice,
    fields: dict[str, Any],
    recognition: dict[str, Any],
    original: OriginalFile,
    recorded: StateChange,
) -> int:
    """Store a new entry and its first step of history; returns its id.

    A second entry of the same invoice for the company breaks the unique constraint.
    """
    receipt_id: int = connection.execute(
        insert(received_invoices).returning(received_invoices.c.id),
        {
            "company_id": company_id,
            "kind": invoice.kind.value,
            "code": invoice.code,
            "number": invoice.number,
            "invoice_date": invoice.invoice_date,
            "seller_name": invoice.seller_name,
            "seller_tax_id": invoice.seller_tax_id,
            "buyer_name": invoice.buyer_name,
            "buyer_tax_id": invoice.buyer_tax_id,
            "amount": invoice.amount,
            "tax": invoice.tax,
            "total_with_tax": invoice.total_with_tax,
            "fields": fields,
            "recognition": recognition,
            "state": recorded.to_state.value,
            "recorded_by": recorded.by,
            "recorded_by_name": recorded.by_name,
            "recorded_at": recorded.at,
            "file_name": original.name,
            "media_type": original.media_type,
            "file_content": original.content,
        },
    ).scalar_one()
    add_change(connection, receipt_id, recorded)
    return receipt_id


def add_change(connection: Connection, receipt_id: int, change: StateChange) -> None:
    """Append a step to the entry's history."""
    connection.execute(
        insert(transitions),
        {
            "received_invoice_id": receipt_id,
            "from_state": change.from_state.value if change.from_state else None,
            "to_state": change.to_state.value,
            "at": change.at,
            "by": change.by,
            "by_name": change.by_name,
            "note": change.note,
        },
    )


def save_state(connection: Connection, receipt_id: int, state: ReceiptState) -> None:
    """Store the entry's new state (its history step is added with add_change)."""
    connection.execute(
        update(received_invoices)
        .where(received_invoices.c.id == receipt_id)
        .values(state=state.value)
    )


def same_invoice(
    connection: Connection, company_id: int, invoice: ReceivedInvoice
) -> Receipt | None:
    """The company's entry of the same invoice (kind, code, number), if recorded."""
    column = received_invoices.c
    row = connection.execute(
        select(*_LISTED).where(
            column.company_id == company_id,
            column.kind == invoice.kind.value,
            column.code == invoice.code,
            column.number == invoice.number,
        )
    ).first()
    return None if row is None else _receipt(row)


def get(
    connection: Connection, company_id: int, receipt_id: int, *, lock: bool = False
) -> Receipt | None:
    """The company's entry with this id, or None."""
    query = select(*_LISTED).where(
        received_invoices.c.id == receipt_id, received_invoices.c.company_id == company_id
    )
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _receipt(row)


def original(connection: Connection, company_id: int, receipt_id: int) -> OriginalFile | None:
    """The entry's original file, or None."""
    column = received_invoices.c
    row = connection.execute(
        select(column.file_name, column.media_type, column.file_content).where(
            column.id == receipt_id, column.company_id == company_id
        )
    ).first()
    return None if row is None else OriginalFile(row.file_name, row.media_type, row.file_content)


def search(
    connection: Connection,
    company_id: int,
    where: ReceiptFilter,
    page: int,
    size: int,
) -> tuple[list[Receipt], int]:
    """One page of the company's entries matching `where`, newest first, and the count."""
    query = _filtered(company_id, where)
    total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = connection.execute(_newest_first(query).limit(size).offset((page - 1) * size)).all()
    return [_receipt(row) for row in rows], total


def all_matching(
    connection: Connection, company_id: int, where: ReceiptFilter, limit: int
) -> list[Receipt]:
    """The company's entries matching `where`, newest first, at most `limit`."""
    rows = connection.execute(_newest_first(_filtered(company_id, where)).limit(limit)).all()
    return [_receipt(row) for row in rows]


def history(connection: Connection, receipt_ids: Sequence[int]) -> dict[int, list[StateChange]]:
    """Each entry's steps, oldest first."""
    found: dict[int, list[StateChange]] = defaultdict(list)
    if receipt_ids:
        rows = connection.execute(
            select(transitions)
            .where(transitions.c.received_invoice_id.in_(receipt_ids))
            .order_by(transitions.c.id)
        )
        for row in rows:
            found[row.received_invoice_id].append(
                StateChange(
                    from_state=ReceiptState(row.from_state) if row.from_state else None,
                    to_state=ReceiptState(row.to_state),
                    by=row.by,
                    by_name=row.by_name,
                    at=row.at,
                    note=row.note,
                )
            )
    return found


def totals_by_kind(
    connection: Connection, company_id: int, first_day: date, next_first_day: date
) -> list[KindTotals]:
    """Per kind, the entries dated in [first_day, next_first_day) that were not rejected."""
    column = received_invoices.c
    rows = connection.execute(
        select(
            column.kind,
            func.count(),
            func.coalesce(func.sum(column.amount), 0),
            func.coalesce(func.sum(column.tax), 0),
            func.coalesce(func.sum(column.total_with_tax), 0),
        )
        .where(
            column.company_id == company_id,
            column.invoice_date >= first_day,
            column.invoice_date < next_first_day,
            column.state != ReceiptState.REJECTED.value,
        )
        .group_by(column.kind)
        .order_by(column.kind)
    )
    # SQLite sums NUMERIC as floats: round each sum back to the cent it must be.
    return [
        KindTotals(InvoiceKind(kind), count, _cents(amount), _cents(tax), _cents(total))
        for kind, count, amount, tax, total in rows
    ]


def _cents(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def _filtered(company_id: int, where: ReceiptFilter) -> Select[Any]:
    column = received_invoices.c
    seller = (
        or_(
            column.seller_name.contains(where.seller, autoescape=True),
            column.seller_tax_id == where.seller.upper(),
        )
        if where.seller
        else None
    )
    conditions = [
        column.company_id == company_id,
        or_(column.number == where.number, (column.code + column.number) == where.number)
        if where.number
        else None,
        seller,
        column.invoice_date >= where.date_from if where.date_from else None,
        column.invoice_date <= where.date_to if where.date_to else None,
        column.state == where.state.value if where.state else None,
        column.kind == where.kind.value if where.kind else None,
    ]
    return select(*_LISTED).where(*(c for c in conditions if c is not None))


def _newest_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(received_invoices.c.recorded_at.desc(), received_invoices.c.id.desc())


def _receipt(row: Row[Any]) -> Receipt:
    invoice = ReceivedInvoice(
        kind=InvoiceKind(row.kind),
        code=row.code,
        number=row.number,
        invoice_date=row.invoice_date,
        seller_name=row.seller_name,
        seller_tax_id=row.seller_tax_id,
        buyer_name=row.buyer_name,
        buyer_tax_id=row.buyer_tax_id,
        amount=Decimal(row.amount),
        tax=Decimal(row.tax),
        total_with_tax=Decimal(row.total_with_tax),
    )
    recorded = StateChange(
        None, ReceiptState.RECORDED, row.recorded_by, row.recorded_by_name, row.recorded_at
    )
    return Receipt(
        id=row.id,
        company_id=row.company_id,
        invoice=invoice,
        fields=row.fields,
        recognition=row.recognition,
        state=ReceiptState(row.state),
        recorded=recorded,
        file_name=row.file_name,
        media_type=row.media_type,
    )
