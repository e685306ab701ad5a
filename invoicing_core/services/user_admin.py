"""A company admin's view of the company's users: changing their roles, unlocking them."""

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection, Engine

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.account import Role, UserNotFound, check_role_change
from invoicing_core.domain.errors import Forbidden
from invoicing_core.persistence import user_repository
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.user_repository import ListedUser
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
            listed = user_repository.of_company(connection, company_id, now)
        return [_summary(user, now) for user in listed]

    def change_role(self, who: Principal, username: str, role: Role) -> UserSummary:
        """Give a user of the admin's company another role; the company keeps an admin."""
        company_id = who.company_as_admin("管理用户")
        now = self._clock()
        with begin_write(self._engine) as connection:
            admins = user_repository.lock_admins(connection, company_id)
            if who.user_id not in admins:
                # Demoted by another admin after this request was authenticated.
                raise Forbidden("只有企业管理员可以管理用户。")
            listed = _user_of(connection, company_id, username, now)
            current = listed.user.role
            if current is role:
                return _summary(listed, now)
            check_role_change(current, role, len(admins))
            user_repository.set_role(connection, listed.user.id, role)
            record_account_event(
                connection,
                actions.CHANGE_ROLE,
                actor=who.username,
                username=listed.user.username,
                company_id=company_id,
                at=now,
                before={"role": current.value},
                after={"role": role.value},
            )
            return _summary(listed, now, role)

    def unlock(self, who: Principal, username: str) -> UserSummary:
        """Lift every lock-out of a user of the admin's company, for every address."""
        company_id = who.company_as_admin("管理用户")
        now = self._clock()
        with begin_write(self._engine) as connection:
            listed = _user_of(connection, company_id, username, now)
            lockouts.unlock(connection, listed.user, actor=who.username, at=now)
            return replace(_summary(listed, now), locked=False)


def _user_of(connection: Connection, company_id: int, username: str, now: datetime) -> ListedUser:
    # Another company's user is "not found" rather than "forbidden": names stay private.
    listed = user_repository.in_company(connection, company_id, username, now)
    if listed is None:
        raise UserNotFound(f"本企业没有用户名为“{username}”的用户。", field="username")
    return listed


def _summary(listed: ListedUser, now: datetime, role: Role | None = None) -> UserSummary:
    user = listed.user
    locked = listed.address_locked or (user.locked_until is not None and now < user.locked_until)
    return UserSummary(user.username, user.display_name, role or user.role, locked, user.created_at)
