"""Idempotency keys: which invoice a company's request (or batch row) was answered with.

A key is unique per company, so that of two requests racing with one key only the first
commits (the other fails on the primary key and answers with the winner's invoice).
"""

from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from invoicing_core.persistence.tables import idempotency_keys


@dataclass(frozen=True)
class IdempotencyKey:
    """A key as a company used it, a hash of its request, and the invoice it issued."""

    company_id: int
    key: str
    request_hash: str
    invoice_number: str
    created_at: datetime


def add(connection: Connection, used: IdempotencyKey) -> None:
    """Store a used key; fails with IntegrityError if the company used it before."""
    add_many(connection, [used])


def add_many(connection: Connection, used: Sequence[IdempotencyKey]) -> None:
    """Store used keys in one round trip."""
    if not used:
        return
    connection.execute(insert(idempotency_keys), [asdict(key) for key in used])


def get(connection: Connection, company_id: int, key: str) -> IdempotencyKey | None:
    """The company's use of `key`, if any."""
    row = connection.execute(
        select(idempotency_keys).where(
            idempotency_keys.c.company_id == company_id, idempotency_keys.c.key == key
        )
    ).first()
    if row is None:
        return None
    return IdempotencyKey(
        row.company_id, row.key, row.request_hash, row.invoice_number, row.created_at
    )


def invoice_numbers(
    connection: Connection, company_id: int, keys: Collection[str]
) -> dict[str, str]:
    """Of these keys, those the company used before, each with the invoice it issued."""
    rows = connection.execute(
        select(idempotency_keys.c.key, idempotency_keys.c.invoice_number).where(
            idempotency_keys.c.company_id == company_id, idempotency_keys.c.key.in_(keys)
        )
    )
    return {key: number for key, number in rows}
