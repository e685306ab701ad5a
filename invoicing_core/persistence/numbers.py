"""Invoice numbers: digital numbers from a shared sequence, paper numbers from stock.

Both are taken inside the issuing transaction: a number is used once or, when the
transaction fails, skipped, but never handed out twice.
"""

from sqlalchemy import Connection, ScalarSelect, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from invoicing_core.domain.errors import DomainError, InvalidInput
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.numbering import DigitalInvoiceNumber, PaperInvoiceNumber
from invoicing_core.persistence.tables import invoice_sequences, paper_stock

# Digit 5 of a digital number: the issuing channel; this system issues through channel 1.
ISSUING_CHANNEL = 1


class OutOfPaperStock(DomainError):
    """No paper invoices of the kind are left in the company's stock."""

    code = "out_of_paper_stock"


def next_digital_number(connection: Connection, year: int) -> str:
    """Take the next 20-digit number of `year` (the row lock serialises issuers)."""
    return next_digital_numbers(connection, year, 1)[0]


def next_digital_numbers(connection: Connection, year: int, count: int) -> list[str]:
    """Take `count` consecutive 20-digit numbers of `year` in one statement."""
    prefix = str(DigitalInvoiceNumber(year=year, channel=ISSUING_CHANNEL, sequence=1))[:5]
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(
        dialect.insert(invoice_sequences)
        .values(prefix=prefix, last_value=0)
        .on_conflict_do_nothing(index_elements=["prefix"])
    )
    last = connection.execute(
        update(invoice_sequences)
        .where(invoice_sequences.c.prefix == prefix)
        .values(last_value=invoice_sequences.c.last_value + count)
        .returning(invoice_sequences.c.last_value)
    ).scalar_one()
    return [
        str(DigitalInvoiceNumber(year=year, channel=ISSUING_CHANNEL, sequence=sequence))
        for sequence in range(last - count + 1, last + 1)
    ]


def lock_numbers(connection: Connection, company_id: int, kind: InvoiceKind, year: int) -> None:
    """Take, without using a number, the row lock that taking a number of `kind` takes, so
    whatever checks the quota next queues behind (and ahead of) issuers as they do."""
    if kind.is_digital:
        prefix = str(DigitalInvoiceNumber(year=year, channel=ISSUING_CHANNEL, sequence=1))[:5]
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        connection.execute(
            dialect.insert(invoice_sequences)
            .values(prefix=prefix, last_value=0)
            .on_conflict_do_nothing(index_elements=["prefix"])
        )
        connection.execute(
            update(invoice_sequences)
            .where(invoice_sequences.c.prefix == prefix)
            .values(last_value=invoice_sequences.c.last_value)
        )
        return
    connection.execute(
        update(paper_stock)
        .where(paper_stock.c.id == _oldest_roll(company_id, kind))
        .values(next_number=paper_stock.c.next_number)
    )


def _oldest_roll(company_id: int, kind: InvoiceKind) -> ScalarSelect[int]:
    return (
        select(paper_stock.c.id)
        .where(paper_stock.c.company_id == company_id)
        .where(paper_stock.c.kind == kind.value)
        .where(paper_stock.c.next_number <= paper_stock.c.last_number)
        .order_by(paper_stock.c.id)
        .limit(1)
        .scalar_subquery()
    )


def next_paper_number(
    connection: Connection, company_id: int, kind: InvoiceKind
) -> PaperInvoiceNumber:
    """Take the next paper invoice (code and number) of `kind` from the company's stock."""
    oldest_roll = _oldest_roll(company_id, kind)
    # One UPDATE takes the number, so two issuers can never read the same one.
    taken = connection.execute(
        update(paper_stock)
        .where(paper_stock.c.id == oldest_roll)
        .values(next_number=paper_stock.c.next_number + 1)
        .returning(paper_stock.c.code, paper_stock.c.next_number)
    ).first()
    if taken is None:
        raise _out_of_stock(kind)
    return PaperInvoiceNumber(taken.code, f"{taken.next_number - 1:08d}")


def add_paper_stock(
    connection: Connection, company_id: int, kind: InvoiceKind, code: str, first: int, count: int
) -> None:
    """Record a roll of `count` paper invoices received from the tax bureau."""
    last = first + count - 1
    PaperInvoiceNumber(code, f"{first:08d}")
    PaperInvoiceNumber(code, f"{last:08d}")
    if count < 1:
        raise InvalidInput("领用份数必须大于0。", field="count")
    # Rolls of any company: a code and number identify one sheet of paper nationwide.
    overlapping = connection.execute(
        select(paper_stock.c.company_id, paper_stock.c.first_number, paper_stock.c.last_number)
        .where(paper_stock.c.code == code)
        .where(paper_stock.c.first_number <= last, paper_stock.c.last_number >= first)
        .order_by(paper_stock.c.company_id != company_id)
    ).first()
    if overlapping is not None:
        roll = f"发票代码 {code} 的号段 {first:08d}–{last:08d}"
        if overlapping.company_id == company_id:
            taken = f"{overlapping.first_number:08d}–{overlapping.last_number:08d}"
            raise InvalidInput(f"{roll} 与本企业已登记的号段 {taken} 重叠。", field="first")
        # Another company's roll is its own business: say only that the numbers are taken.
        raise InvalidInput(f"{roll} 与已登记的号段重叠，请核对发票代码和号码。", field="first")
    connection.execute(
        insert(paper_stock).values(
            company_id=company_id,
            kind=kind.value,
            code=code,
            first_number=first,
            next_number=first,
            last_number=last,
        )
    )


def ensure_paper_in_stock(connection: Connection, company_id: int, kind: InvoiceKind) -> None:
    """Refuse, as issuing would, a paper kind of which no invoice is left."""
    if not kind.is_digital and paper_left(connection, company_id).get(kind, 0) < 1:
        raise _out_of_stock(kind)


def _out_of_stock(kind: InvoiceKind) -> OutOfPaperStock:
    return OutOfPaperStock(f"{kind.label}库存已用完，请向主管税务机关申领后再开具。", field="kind")


def paper_left(connection: Connection, company_id: int) -> dict[InvoiceKind, int]:
    """Paper invoices left of each kind the company has ever received."""
    rows = connection.execute(
        select(
            paper_stock.c.kind,
            func.sum(paper_stock.c.last_number - paper_stock.c.next_number + 1),
        )
        .where(paper_stock.c.company_id == company_id)
        .group_by(paper_stock.c.kind)
    )
    return {InvoiceKind(kind): int(left) for kind, left in rows}
