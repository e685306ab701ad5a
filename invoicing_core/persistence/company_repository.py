"""Seller companies in the database."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, insert, select

from invoicing_core.persistence.tables import companies


@dataclass(frozen=True)
class Company:
    """A registered seller: what its invoices print, and the limits it issues within."""

    id: int
    name: str
    tax_id: str
    address: str
    phone: str
    bank: str
    account: str
    monthly_quota: Decimal
    paper_special_limit: Decimal


def add(
    connection: Connection,
    *,
    name: str,
    tax_id: str,
    monthly_quota: Decimal,
    created_at: datetime,
    **details: str,
) -> int:
    """Store a new company; details are address, phone, bank and account. Returns its id."""
    company_id: int = connection.execute(
        insert(companies).values(
            name=name,
            tax_id=tax_id,
            monthly_quota=monthly_quota,
            created_at=created_at,
            **details,
        )
    ).inserted_primary_key[0]
    return company_id


def get(connection: Connection, company_id: int) -> Company:
    """The company with this id; it exists, since users and invoices refer to it."""
    row = connection.execute(select(companies).where(companies.c.id == company_id)).one()
    return _company(row)


def id_by_tax_id(connection: Connection, tax_id: str) -> int | None:
    """The id of the company with this taxpayer id, if it is registered."""
    found: int | None = connection.execute(
        select(companies.c.id).where(companies.c.tax_id == tax_id)
    ).scalar()
    return found


def _company(row: Row[Any]) -> Company:
    return Company(
        id=row.id,
        name=row.name,
        tax_id=row.tax_id,
        address=row.address,
        phone=row.phone,
        bank=row.bank,
        account=row.account,
        monthly_quota=Decimal(row.monthly_quota),
        paper_special_limit=Decimal(row.paper_special_limit),
    )
