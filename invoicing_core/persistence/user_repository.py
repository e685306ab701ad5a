"""Users in the database, and the access tokens that stand for them."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    delete,
    exists,
    insert,
    select,
    update,
)

from invoicing_core.domain.account import Role
from invoicing_core.persistence.tables import access_tokens, login_failures, users


@dataclass(frozen=True)
class StoredUser:
    """A user's row: who they are, and the account-wide part of their lock-out state.

    `failed_logins` counts the account's wrong passwords since `failed_logins_since`;
    `locked_until` ends its lock-out for everyone (the per-address part is in
    login_state_repository).
    """

    id: int
    username: str
    password_hash: str
    role: Role
    company_id: int | None
    display_name: str
    phone: str
    email: str
    failed_logins: int
    failed_logins_since: datetime | None
    locked_until: datetime | None
    created_at: datetime


@dataclass(frozen=True)
class ListedUser:
    """A user as a company's admin lists them, with whether some address is locked out."""

    user: StoredUser
    address_locked: bool


def add(
    connection: Connection,
    *,
    username: str,
    password_hash: str,
    role: Role,
    company_id: int | None,
    display_name: str,
    created_at: datetime,
) -> int:
    """Store a new user with no wrong passwords; fails with IntegrityError if the name is taken."""
    user_id: int = connection.execute(
        insert(users).values(
            username=username,
            password_hash=password_hash,
            role=role.value,
            company_id=company_id,
            display_name=display_name,
            failed_logins=0,
            created_at=created_at,
        )
    ).inserted_primary_key[0]
    return user_id


def exists_named(connection: Connection, username: str) -> bool:
    """Whether a user has this user name."""
    found = connection.execute(select(users.c.id).where(users.c.username == username))
    return found.first() is not None


def named(connection: Connection, username: str, *, lock: bool = False) -> StoredUser | None:
    """The user with this name, or None; `lock` holds the row until the transaction ends."""
    query = select(users).where(users.c.username == username)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _stored(row)


def of_companies_in_roles(connection: Connection, roles: Collection[Role]) -> list[StoredUser]:
    """Every company's users with one of `roles`, by company and user name."""
    rows = connection.execute(
        select(users)
        .where(users.c.company_id.is_not(None), users.c.role.in_([role.value for role in roles]))
        .order_by(users.c.company_id, users.c.username)
    ).all()
    return [_stored(row) for row in rows]


def company_of(connection: Connection, username: str) -> int | None:
    """The company of the user named `username`; None for a platform user or no such user."""
    company: int | None = connection.execute(
        select(users.c.company_id).where(users.c.username == username)
    ).scalar_one_or_none()
    return company


def set_role(connection: Connection, user_id: int, role: Role) -> None:
    """Give the user another role."""
    connection.execute(update(users).where(users.c.id == user_id).values(role=role.value))


def set_password_hash(connection: Connection, user_id: int, password_hash: str) -> None:
    """Replace the user's password (its hash)."""
    connection.execute(
        update(users).where(users.c.id == user_id).values(password_hash=password_hash)
    )


def lock_admins(connection: Connection, company_id: int) -> set[int]:
    """The ids of the company's admins, their rows locked until the transaction ends.

    Locking every admin row first makes two admins demoting each other at once take
    turns, so the second sees the first's change and the company keeps an admin.
    """
    rows = connection.execute(
        select(users.c.id)
        .where(users.c.company_id == company_id, users.c.role == Role.ADMIN.value)
        .with_for_update()
    )
    return set(rows.scalars())


def of_company(connection: Connection, company_id: int, now: datetime) -> list[ListedUser]:
    """The company's users by user name, each with whether some address is locked at `now`."""
    rows = connection.execute(
        _listed(now).where(users.c.company_id == company_id).order_by(users.c.username)
    )
    return [_listed_user(row) for row in rows]


def in_company(
    connection: Connection, company_id: int, username: str, now: datetime
) -> ListedUser | None:
    """The company's user with this name (its row locked), or None, also for another
    company's user."""
    row = connection.execute(
        _listed(now)
        .where(users.c.company_id == company_id, users.c.username == username)
        .with_for_update(of=users)
    ).first()
    return None if row is None else _listed_user(row)


def add_token(
    connection: Connection,
    token_hash: str,
    user_id: int,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    """Store an access token of the user (only its hash: a leaked table grants nothing)."""
    connection.execute(
        insert(access_tokens).values(
            token_hash=token_hash, user_id=user_id, created_at=created_at, expires_at=expires_at
        )
    )


def token_holder(connection: Connection, token_hash: str) -> tuple[StoredUser, datetime] | None:
    """The user an access token belongs to and when the token expires, or None if unknown."""
    row = connection.execute(
        select(users, access_tokens.c.expires_at)
        .join(access_tokens, access_tokens.c.user_id == users.c.id)
        .where(access_tokens.c.token_hash == token_hash)
    ).first()
    return None if row is None else (_stored(row), row.expires_at)


def end_sessions(connection: Connection, user_id: int) -> int:
    """Delete every access token of the user; returns how many there were."""
    ended = connection.execute(delete(access_tokens).where(access_tokens.c.user_id == user_id))
    return ended.rowcount


def _some_address_locked(now: datetime) -> ColumnElement[bool]:
    # Whether some address is locked out of the user of the enclosing query on users.
    return exists().where(
        login_failures.c.user_id == users.c.id, login_failures.c.locked_until > now
    )


def _listed(now: datetime) -> Select[Any]:
    return select(users, _some_address_locked(now).label("address_locked"))


def _listed_user(row: Row[Any]) -> ListedUser:
    return ListedUser(_stored(row), bool(row.address_locked))


def _stored(row: Row[Any]) -> StoredUser:
    return StoredUser(
        id=row.id,
        username=row.username,
        password_hash=row.password_hash,
        role=Role(row.role),
        company_id=row.company_id,
        display_name=row.display_name,
        phone=row.phone,
        email=row.email,
        failed_logins=row.failed_logins,
        failed_logins_since=row.failed_logins_since,
        locked_until=row.locked_until,
        created_at=row.created_at,
    )
