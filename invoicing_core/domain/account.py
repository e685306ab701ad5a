"""Accounts: roles, the password policy and lock-out after repeated wrong passwords."""

import string
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import ClassVar

from invoicing_core.domain.errors import DomainError, InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


class Role(Enum):
    """What a user may do; the value is the API's name for it."""

    ADMIN = "admin"
    ISSUER = "issuer"
    VIEWER = "viewer"
    AGENT = "agent"
    # Keeps the knowledge base every company shares: edits, publishes, reloads it.
    EDITOR = "editor"

    @property
    def may_issue(self) -> bool:
        """Whether the role issues, voids and red-letters invoices."""
        return self in (Role.ADMIN, Role.ISSUER)

    @property
    def platform_wide(self) -> bool:
        """Whether the role serves the whole platform rather than one company."""
        return self in (Role.AGENT, Role.EDITOR)


class WeakPassword(DomainError):
    """A new password does not meet the policy."""

    code: ClassVar[str] = "weak_password"


class InvalidCredentials(DomainError):
    """The user name and password do not match (which one is wrong is not said)."""

    code: ClassVar[str] = "invalid_credentials"


class AccountLocked(DomainError):
    """Too many wrong passwords in a row; the account waits out the lock-out."""

    code: ClassVar[str] = "account_locked"


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


@dataclass(frozen=True)
class LoginState:
    """A user's run of wrong passwords and the lock it may have caused."""

    failed_logins: int = 0
    locked_until: datetime | None = None

    def check_unlocked(self, now: datetime) -> None:
        """Raise AccountLocked while the lock-out lasts."""
        if self.locked_until is not None and now < self.locked_until:
            minutes = -(-(self.locked_until - now) // timedelta(minutes=1))
            raise AccountLocked(
                f"连续输错密码{MAX_FAILED_LOGINS}次，账户已锁定，请{minutes}分钟后再试，"
                "或联系管理员解锁。",
                field="username",
            )

    def after_failure(self, now: datetime) -> "LoginState":
        """The state after one more wrong password; the fifth in a row locks the account."""
        failed = self.failed_logins + 1
        if failed >= MAX_FAILED_LOGINS:
            return LoginState(0, now + LOCKOUT)
        return LoginState(failed, None)

    def failure_message(self) -> str:
        """What to tell the user after a wrong password in this (new) state."""
        if self.locked_until is not None:
            return f"连续输错密码{MAX_FAILED_LOGINS}次，账户已锁定{LOCKOUT.seconds // 60}分钟。"
        left = MAX_FAILED_LOGINS - self.failed_logins
        return f"用户名或密码错误，还可以再试{left}次。"


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
