"""One-time password reset codes in the database (only their hashes)."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, or_, select, update

from invoicing_core.domain.password_reset import ResetCode
from invoicing_core.persistence.tables import password_reset_codes


@dataclass(frozen=True)
class StoredCode:
    """A code's row: its id and hash, and its state (ResetCode) when it was read."""

    id: int
    code_hash: str
    state: ResetCode


@dataclass(frozen=True)
class CodesSent:
    """Codes created since some moment: to the user, to the user at the request of one
    client address, and at that address's request to anyone."""

    to_user: int
    to_user_from_address: int
    from_address: int


def add(
    connection: Connection,
    user_id: int,
    address: str,
    code_hash: str,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    """Store a new code of the user, asked for from `address`, not yet tried."""
    connection.execute(
        insert(password_reset_codes).values(
            user_id=user_id,
            address=address,
            code_hash=code_hash,
            created_at=created_at,
            expires_at=expires_at,
            failed_tries=0,
        )
    )


def sent_since(connection: Connection, user_id: int, address: str, since: datetime) -> CodesSent:
    """How many codes were created since `since` for the user and from the address."""
    to_user = password_reset_codes.c.user_id == user_id
    from_address = password_reset_codes.c.address == address
    sent = connection.execute(
        select(
            func.count().filter(to_user),
            func.count().filter(to_user & from_address),
            func.count().filter(from_address),
        )
        .where(or_(to_user, from_address))
        .where(password_reset_codes.c.created_at >= since)
    ).one()
    return CodesSent(int(sent[0]), int(sent[1]), int(sent[2]))


def latest(connection: Connection, user_id: int) -> StoredCode | None:
    """The user's newest code, its row locked, or None.

    Only the newest code counts: asking again makes the earlier codes useless.
    """
    row = connection.execute(
        select(password_reset_codes)
        .where(password_reset_codes.c.user_id == user_id)
        .order_by(password_reset_codes.c.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if row is None:
        return None
    state = ResetCode(row.expires_at, row.failed_tries, row.used_at is not None)
    return StoredCode(row.id, row.code_hash, state)


def set_failed_tries(connection: Connection, code_id: int, failed_tries: int) -> None:
    """Keep how many wrong tries the code has had."""
    connection.execute(
        update(password_reset_codes)
        .where(password_reset_codes.c.id == code_id)
        .values(failed_tries=failed_tries)
    )


def mark_used(connection: Connection, code_id: int, at: datetime) -> None:
    """Keep that the code was used at `at`: it cannot be used again."""
    connection.execute(
        update(password_reset_codes).where(password_reset_codes.c.id == code_id).values(used_at=at)
    )
