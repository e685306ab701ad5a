"""Companies, users, logging in with lock-out, and access tokens."""

import hashlib
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.account import (
    LoginState,
    NotAuthenticated,
    Role,
    UsernameTaken,
    UserNotFound,
    check_password_policy,
    login_refused,
)
from invoicing_core.domain.errors import Forbidden
from invoicing_core.passwords import hash_password, verify_password
from invoicing_core.persistence import company_repository, login_state_repository, user_repository
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.user_repository import StoredUser
from invoicing_core.services import lockouts
from invoicing_core.services.account_audit import login_state, record_account_event
from invoicing_core.services.clock import Clock, utc_now


@dataclass(frozen=True)
class UserContact:
    """A user and where they can be told things: their email and phone ("" when none)."""

    username: str
    role: Role
    company_id: int | None
    email: str
    phone: str


def _contact(user: user_repository.StoredUser) -> UserContact:
    return UserContact(user.username, user.role, user.company_id, user.email, user.phone)


@dataclass(frozen=True)
class Principal:
    """Who a request acts for."""

    user_id: int
    username: str
    display_name: str
    role: Role
    company_id: int | None

    def company_as_admin(self, doing: str) -> int:
        """The caller's company, when the caller is its admin; otherwise refused.

        `doing` completes the refusal, e.g. "管理用户".
        """
        if self.role is not Role.ADMIN or self.company_id is None:
            raise Forbidden(f"只有企业管理员可以{doing}。")
        return self.company_id


@dataclass(frozen=True)
class AccessToken:
    """A bearer token as handed to the client (only its hash is stored)."""

    token: str
    expires_at: datetime


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class AccountService:
    """Accounts of the invoicing system and the tokens that prove who is calling."""

    def __init__(self, engine: Engine, token_ttl: timedelta, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._token_ttl = token_ttl
        self._clock = clock

    def create_company(
        self, *, name: str, tax_id: str, monthly_quota: Decimal, **details: str
    ) -> int:
        """Register a seller company; details are address, phone, bank and account."""
        with begin_write(self._engine) as connection:
            return company_repository.add(
                connection,
                name=name,
                tax_id=tax_id,
                monthly_quota=monthly_quota,
                created_at=self._clock(),
                **details,
            )

    def company_id_by_tax_id(self, tax_id: str) -> int | None:
        """The id of the company with this taxpayer id, if it is registered."""
        with self._engine.connect() as connection:
            return company_repository.id_by_tax_id(connection, tax_id)

    def user_exists(self, username: str) -> bool:
        """Whether a user has this user name."""
        with self._engine.connect() as connection:
            return user_repository.exists_named(connection, username)

    def create_user(
        self,
        *,
        username: str,
        password: str,
        role: Role,
        company_id: int | None,
        display_name: str = "",
        actor: str = actions.SYSTEM_ACTOR,
    ) -> int:
        """Create a user whose password meets the policy; `actor` is who asked for it."""
        check_password_policy(password)
        now, display_name = self._clock(), display_name or username
        try:
            with begin_write(self._engine) as connection:
                user_id = user_repository.add(
                    connection,
                    username=username,
                    password_hash=hash_password(password),
                    role=role,
                    company_id=company_id,
                    display_name=display_name,
                    created_at=now,
                )
                after = {"role": role.value, "display_name": display_name}
                record_account_event(
                    connection,
                    actions.CREATE_USER,
                    actor=actor,
                    username=username,
                    company_id=company_id,
                    at=now,
                    after=after,
                )
        except IntegrityError as exc:
            raise UsernameTaken(f"用户名“{username}”已被使用。", field="username") from exc
        return user_id

    def log_in(self, username: str, password: str, address: str) -> AccessToken:
        """Check the password and hand out a new access token, unless locked out.

        `address` is the client's: wrong passwords lock out that address, and only many
        from every address together the whole account (LoginState). An unknown user, a
        wrong password and a lock-out get the same refusal, after the same password check.
        """
        now = self._clock()
        with begin_write(self._engine) as connection:
            user = user_repository.named(connection, username, lock=True)
            # Checked first, so that every refusal takes as long (a dummy hash if unknown).
            matches = verify_password(user.password_hash if user else None, password)
            if user is None:
                raise login_refused()
            state = login_state_repository.load(connection, user, address)
            if state.is_locked(now):
                raise login_refused()
            if matches:
                after = state.after_success()
                _save_login(connection, user, address, state, after, now, succeeded=True)
                return self._open_session(connection, user.id, now)
            after = state.after_failure(now)
            _save_login(connection, user, address, state, after, now, succeeded=False)
        # Raised after the commit, so that the counted failure and its audit entry are kept.
        raise login_refused()

    def unlock(self, username: str, actor: str = actions.SYSTEM_ACTOR) -> None:
        """Lift every lock-out of the user, the account's and every address's."""
        with begin_write(self._engine) as connection:
            user = user_repository.named(connection, username, lock=True)
            if user is None:
                raise UserNotFound(f"没有用户名为“{username}”的用户。", field="username")
            lockouts.unlock(connection, user, actor=actor, at=self._clock())

    def _open_session(self, connection: Connection, user_id: int, now: datetime) -> AccessToken:
        token = AccessToken(secrets.token_urlsafe(32), now + self._token_ttl)
        user_repository.add_token(
            connection, _token_hash(token.token), user_id, now, token.expires_at
        )
        return token

    def principal_of(self, username: str) -> Principal:
        """The user named `username`, for operators' commands that act on a user's behalf."""
        with self._engine.connect() as connection:
            user = user_repository.named(connection, username)
        if user is None:
            raise UserNotFound(f"没有用户名为“{username}”的用户。", field="username")
        return _principal(user)

    def contact_of(self, username: str) -> UserContact | None:
        """Where the user named `username` can be told things, or None for no such user."""
        with self._engine.connect() as connection:
            user = user_repository.named(connection, username)
        return None if user is None else _contact(user)

    def company_contacts(self, roles: Collection[Role]) -> list[UserContact]:
        """Every company's users with one of `roles`, with their contacts (notifications)."""
        with self._engine.connect() as connection:
            found = user_repository.of_companies_in_roles(connection, roles)
        return [_contact(user) for user in found]

    def company_of(self, username: str) -> int | None:
        """The company of the user named `username`; None for a platform user or no such user."""
        with self._engine.connect() as connection:
            return user_repository.company_of(connection, username)

    def company_named(self, company_id: int) -> company_repository.Company:
        """The company with this id (a principal's own)."""
        with self._engine.connect() as connection:
            return company_repository.get(connection, company_id)

    def authenticate(self, token: str) -> Principal:
        """The user a bearer token belongs to; refused when unknown or expired."""
        with self._engine.connect() as connection:
            held = user_repository.token_holder(connection, _token_hash(token))
        if held is None or held[1] <= self._clock():
            raise NotAuthenticated("登录已失效，请重新登录。")
        return _principal(held[0])


def _principal(user: StoredUser) -> Principal:
    return Principal(user.id, user.username, user.display_name, user.role, user.company_id)


def _save_login(
    connection: Connection,
    user: StoredUser,
    address: str,
    before: LoginState,
    after: LoginState,
    now: datetime,
    *,
    succeeded: bool,
) -> None:
    # Saved and audited in one transaction, so the log never misses an attempt.
    login_state_repository.save(connection, user.id, address, after)
    events = [actions.LOGIN if succeeded else actions.LOGIN_FAILED]
    if after.is_locked(now):
        events.append(actions.LOCKED)
    for action in events:
        record_account_event(
            connection,
            action,
            actor=user.username,
            username=user.username,
            company_id=user.company_id,
            at=now,
            before=login_state(before, address),
            after=login_state(after, address),
        )
