"""Accounts: roles, the password policy and lock-out after repeated wrong passwords."""

import string
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import Enum
from typing import ClassVar

from invoicing_core.domain.errors import DomainError, InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
# Wrong passwords in a row from one client address lock that address out of the account
# (only that one: a stranger cannot lock the user out). Each further lock-out of the
# address lasts twice as long as the one before, up to MAX_LOCKOUT.
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
MAX_LOCKOUT = timedelta(hours=24)
# Wrong passwords for the account from every address together within ACCOUNT_WINDOW lock
# it for everyone, for ACCOUNT_LOCKOUT: guessing from many addresses stays bounded too.
MAX_ACCOUNT_FAILURES = 50
ACCOUNT_WINDOW = LOCKOUT
ACCOUNT_LOCKOUT = LOCKOUT
# The one answer to every refused login, whatever the reason: telling an unknown user,
# a wrong password and a lock-out apart would reveal which accounts exist and are attacked.
LOGIN_REFUSED_MESSAGE = (
    "用户名或密码错误，或账户因多次输错已暂时锁定。请稍后再试，或联系管理员解锁。"
)


class Role(Enum):
    """What a user may do; the value is the API's name for it."""

    ADMIN = "admin"
    ISSUER = "issuer"
    VIEWER = "viewer"
    AGENT = "agent"
    # Leads the agents: answers customers like an agent, and sets which topics each
    # agent takes (the console's routing skills).
    SUPERVISOR = "supervisor"
    # Keeps the knowledge base every company shares: edits, publishes, reloads it.
    EDITOR = "editor"
    # Approves or rejects the company's requests that its approval rules hold back
    # (domain/approval.py); issues nothing itself.
    APPROVER = "approver"

    @property
    def may_issue(self) -> bool:
        """Whether the role issues, voids and red-letters invoices."""
        return self in (Role.ADMIN, Role.ISSUER)

    @property
    def platform_wide(self) -> bool:
        """Whether the role serves the whole platform rather than one company."""
        return self in (Role.AGENT, Role.SUPERVISOR, Role.EDITOR)

    @property
    def is_agent(self) -> bool:
        """Whether the role answers customers in the agent console."""
        return self in (Role.AGENT, Role.SUPERVISOR)


class WeakPassword(DomainError):
    """A new password does not meet the policy."""

    code: ClassVar[str] = "weak_password"


class InvalidCredentials(DomainError):
    """A login is refused: unknown user, wrong password or a lock-out (which is not said)."""

    code: ClassVar[str] = "invalid_credentials"


def login_refused() -> InvalidCredentials:
    """The one refusal of a login, whatever the reason."""
    return InvalidCredentials(LOGIN_REFUSED_MESSAGE, field="password")


def check_password_policy(password: str) -> None:
    """Refuse a password without 8+ characters of letters, digits and a special character."""
    if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            f"密码长度须为{MIN_PASSWORD_LENGTH}到{MAX_PASSWORD_LENGTH}位。", field="password"
        )
    has_letter = any(c in string.ascii_letters for c in password)
    has_digit = any(c.isdigit() for c in password)
    has_special = any(not c.isalnum() and not c.isspace() for c in password)
    if not (has_letter and has_digit and has_special):
        raise WeakPassword("密码须同时包含字母、数字和特殊字符。", field="password")


def address_lockout(earlier_lockouts: int) -> timedelta:
    """How long an address is locked out after this many earlier lock-outs of it."""
    doublings = min(earlier_lockouts, 16)  # past MAX_LOCKOUT already; no overflow
    return min(LOCKOUT * (1 << doublings), MAX_LOCKOUT)


@dataclass(frozen=True)
class LoginState:
    """Wrong passwords for one account, from one client address and from every address.

    `failed_logins` counts the address's wrong passwords since its last success or
    lock-out, `lockouts` its lock-outs so far, `locked_until` ends its lock-out. The
    `account_*` fields are the account's, shared by every address: wrong passwords
    since `account_window_start` and the lock-out for everyone.
    """

    failed_logins: int = 0
    lockouts: int = 0
    locked_until: datetime | None = None
    account_failures: int = 0
    account_window_start: datetime | None = None
    account_locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        """Whether the address, or the whole account, is locked out at `now`."""
        ends = (self.locked_until, self.account_locked_until)
        return any(until is not None and now < until for until in ends)

    def after_failure(self, now: datetime) -> "LoginState":
        """The state after one more wrong password while not locked out."""
        failed, lockouts, locked_until = self.failed_logins + 1, self.lockouts, None
        if failed >= MAX_FAILED_LOGINS:
            failed, lockouts = 0, lockouts + 1
            locked_until = now + address_lockout(self.lockouts)
        window_start = self.account_window_start
        if window_start is None or now >= window_start + ACCOUNT_WINDOW:
            window_start, account_failures = now, 1
        else:
            account_failures = self.account_failures + 1
        account_locked_until = None
        if account_failures >= MAX_ACCOUNT_FAILURES:
            account_failures, window_start = 0, None
            account_locked_until = now + ACCOUNT_LOCKOUT
        return LoginState(
            failed, lockouts, locked_until, account_failures, window_start, account_locked_until
        )

    def after_success(self) -> "LoginState":
        """The state after the right password: the address starts afresh.

        The account's count stays: others may still be guessing from elsewhere.
        """
        return replace(self, failed_logins=0, lockouts=0, locked_until=None)


class NotAuthenticated(DomainError):
    """No valid access token came with the request."""

    code: ClassVar[str] = "not_authenticated"


class UsernameTaken(DomainError):
    """Another user already has the user name."""

    code: ClassVar[str] = "username_taken"


class UserNotFound(DomainError):
    """No user has that name (among the caller's company's users, where that applies)."""

    code: ClassVar[str] = "user_not_found"


class LastAdmin(DomainError):
    """The change would leave the company without an administrator."""

    code: ClassVar[str] = "last_admin"


def check_role_change(current: Role, new: Role, admins_in_company: int) -> None:
    """Refuse making a company user an agent, or demoting the company's only admin.

    Every company keeps at least one admin, so an admin cannot demote themselves while
    they are the last one: nobody would be left to manage users or see risk alerts.
    """
    if new.platform_wide:
        raise InvalidInput(
            "客服坐席和知识库编辑账号不属于任何企业，不能把企业用户改为这两种角色。", field="role"
        )
    if current is Role.ADMIN and new is not Role.ADMIN and admins_in_company <= 1:
        raise LastAdmin(
            "企业至少需要保留一名管理员：请先把另一位用户设为管理员，再调整该账号的角色。",
            field="role",
        )
