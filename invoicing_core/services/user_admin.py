"""A company admin's view of the company's users: changing their roles, unlocking them."""

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, Select, select, update

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.account import Role, UserNotFound, check_role_change
from invoicing_core.domain.errors import Forbidden
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.tables import users
from invoicing_core.services import lockouts
from invoicing_core.services.account_audit import record_account_event
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now


@dataclass(frozen=True)
class UserSummary:
    """A user as their company's admin sees them.

    `locked`: the account, or some client address, is locked out after wrong passwords.
    """

    username: str
    display_name: str
    role: Role
    locked: bool
    created_at: datetime


class UserAdminService:
    """User management for a company's admins."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def list_users(self, who: Principal) -> list[UserSummary]:
        """The users of the admin's company, by user name."""
        company_id = who.company_as_admin("管理用户")
        now = self._clock()
        with self._engine.connect() as connection:
            rows = connection.execute(
                _users(now).where(users.c.company_id == company_id).order_by(users.c.username)
            )
            return [_summary(row, now) for row in rows]

    def change_role(self, who: Principal, username: str, role: Role) -> UserSummary:
        """Give a user of the admin's company another role; the company keeps an admin."""
        company_id = who.company_as_admin("管理用户")
        now = self._clock()
        with begin_write(self._engine) as connection:
            admins = _lock_admins(connection, company_id)
            if who.user_id not in admins:
                # Demoted by another admin after this request was authenticated.
                raise Forbidden("只有企业管理员可以管理用户。")
            user = _user_of(connection, company_id, username, now)
            current = Role(user.role)
            if current is role:
                return _summary(user, now)
            check_role_change(current, role, len(admins))
            connection.execute(update(users).where(users.c.id == user.id).values(role=role.value))
            record_account_event(
                connection,
                actions.CHANGE_ROLE,
                actor=who.username,
                username=user.username,
                company_id=company_id,
                at=now,
                before={"role": current.value},
                after={"role": role.value},
            )
            return _summary(user, now, role)

    def unlock(self, who: Principal, username: str) -> UserSummary:
        """Lift every lock-out of a user of the admin's company, for every address."""
        company_id = who.company_as_admin("管理用户")
        now = self._clock()
        with begin_write(self._engine) as connection:
            user = _user_of(connection, company_id, username, now)
            lockouts.unlock(connection, user, actor=who.username, at=now)
            return replace(_summary(user, now), locked=False)


def _lock_admins(connection: Connection, company_id: int) -> set[int]:
    # Locking every admin row first makes two admins demoting each other at once take
    # turns, so the second sees the first's change and the company keeps an admin.
    rows = connection.execute(
        select(users.c.id)
        .where(users.c.company_id == company_id, users.c.role == Role.ADMIN.value)
        .with_for_update()
    )
    return set(rows.scalars())


def _users(now: datetime) -> Select[Any]:
    return select(users, lockouts.some_address_locked(now).label("address_locked"))


def _user_of(connection: Connection, company_id: int, username: str, now: datetime) -> Row[Any]:
    # Another company's user is "not found" rather than "forbidden": names stay private.
    user = connection.execute(
        _users(now)
        .where(users.c.company_id == company_id, users.c.username == username)
        .with_for_update(of=users)
    ).first()
    if user is None:
        raise UserNotFound(f"本企业没有用户名为“{username}”的用户。", field="username")
    return user


def _summary(row: Row[Any], now: datetime, role: Role | None = None) -> UserSummary:
    locked = bool(row.address_locked) or (row.locked_until is not None and now < row.locked_until)
    return UserSummary(
        row.username, row.display_name, role or Role(row.role), locked, row.created_at
    )
