"""The buyers' 用途确认 of invoices issued to them, one per invoice."""

from collections.abc import Sequence

from sqlalchemy import Connection, insert, select

from invoicing_core.domain.use_confirmation import InvoiceUse, UseConfirmation
from invoicing_core.persistence.tables import invoices, use_confirmations


def add(connection: Connection, confirmation: UseConfirmation) -> None:
    """Store a confirmation; a second one for the same invoice breaks the unique key."""
    connection.execute(
        insert(use_confirmations).values(
            invoice_number=confirmation.invoice,
            buyer_company_id=confirmation.buyer_company_id,
            use=confirmation.use.value,
            confirmed_at=confirmation.confirmed_at,
            confirmed_by=confirmation.confirmed_by,
        )
    )


def of_invoice(connection: Connection, identifier: str) -> UseConfirmation | None:
    """The buyer's confirmation of the invoice so named, if any."""
    row = connection.execute(
        select(use_confirmations).where(use_confirmations.c.invoice_number == identifier)
    ).first()
    if row is None:
        return None
    return UseConfirmation(
        invoice=row.invoice_number,
        use=InvoiceUse(row.use),
        confirmed_at=row.confirmed_at,
        confirmed_by=row.confirmed_by,
        buyer_company_id=row.buyer_company_id,
    )


def paper_identifiers(
    connection: Connection, buyer_tax_id: str, paper_number: str
) -> Sequence[str]:
    """The identifiers of the paper invoices issued to this buyer with this 8-digit number
    (whatever their code)."""
    rows = connection.execute(
        select(invoices.c.number, invoices.c.code).where(
            invoices.c.buyer_tax_id == buyer_tax_id,
            invoices.c.code.is_not(None),
            invoices.c.number.endswith(paper_number, autoescape=True),
        )
    )
    return [row.number for row in rows if row.number == f"{row.code}{paper_number}"]
