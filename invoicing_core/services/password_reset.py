"""Resetting a forgotten password with a one-time code sent to the user."""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.account import WeakPassword, check_password_policy
from invoicing_core.domain.password_reset import (
    CODES_WINDOW,
    ResetCode,
    invalid_reset_code,
    may_send_another_code,
    new_reset_code,
)
from invoicing_core.passwords import hash_password, verify_password
from invoicing_core.persistence import reset_code_repository, user_repository
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.reset_code_repository import StoredCode
from invoicing_core.persistence.user_repository import StoredUser
from invoicing_core.services import lockouts
from invoicing_core.services.account_audit import record_account_event
from invoicing_core.services.clock import Clock, utc_now
from invoicing_core.services.reset_code_sender import (
    LoggingResetCodeSender,
    ResetCodeRecipient,
    ResetCodeSender,
)

_log = logging.getLogger(__name__)


class PasswordResetService:
    """Requesting a code and confirming it with a new password.

    Neither step tells whether a user name exists: requests always look accepted and
    every refused code gets the same answer.
    """

    def __init__(
        self, engine: Engine, sender: ResetCodeSender | None = None, clock: Clock = utc_now
    ) -> None:
        self._engine = engine
        self._clock = clock
        # Public so that the composition root or a test can swap the delivery at run time.
        self.sender: ResetCodeSender = sender or LoggingResetCodeSender()

    def request(self, username: str, address: str) -> None:
        """Send a new code to the user if they exist and neither they nor the client
        `address` asking are over the limits; else nothing."""
        now, code = self._clock(), new_reset_code()
        # Hashed before looking the user up, so unknown names take as long as known ones.
        code_hash = hash_password(code)
        with begin_write(self._engine) as connection:
            user = user_repository.named(connection, username, lock=True)
            if user is None:
                return
            sent = reset_code_repository.sent_since(
                connection, user.id, address, now - CODES_WINDOW
            )
            if not may_send_another_code(
                to_user=sent.to_user,
                to_user_from_address=sent.to_user_from_address,
                from_address=sent.from_address,
            ):
                _log.warning(
                    "password_reset_throttled username=%s address=%s", user.username, address
                )
                return
            _store_code(connection, user, address, code_hash, now)
        self._deliver(user, code)

    def confirm(self, username: str, code: str, new_password: str) -> None:
        """Set a new password with a valid code; unlocks the account and ends its sessions."""
        _check_new_password(new_password)
        now = self._clock()
        with begin_write(self._engine) as connection:
            user = user_repository.named(connection, username, lock=True)
            stored = None if user is None else reset_code_repository.latest(connection, user.id)
            if user is None or stored is None or not stored.state.is_usable(now):
                verify_password(None, code)  # the same time as checking a real code
                raise invalid_reset_code()
            if verify_password(stored.code_hash, code):
                _reset(connection, user, stored.id, new_password, now)
                return
            _count_wrong_try(connection, user, stored, now)
        # Raised after the commit, so that the wrong try is counted.
        raise invalid_reset_code()

    def _deliver(self, user: StoredUser, code: str) -> None:
        recipient = ResetCodeRecipient(user.username, user.display_name, user.phone, user.email)
        try:
            self.sender.send(recipient, code)
        except Exception:
            # Still "accepted": an error here would tell a stranger that the user exists.
            _log.exception("password_reset_send_failed username=%s", user.username)


def _check_new_password(password: str) -> None:
    try:
        check_password_policy(password)
    except WeakPassword as error:
        error.field = "new_password"
        raise


def _store_code(
    connection: Connection, user: StoredUser, address: str, code_hash: str, now: datetime
) -> None:
    fresh = ResetCode.issued_at(now)
    reset_code_repository.add(connection, user.id, address, code_hash, now, fresh.expires_at)
    _audit(
        connection,
        actions.RESET_REQUESTED,
        user,
        now,
        None,
        {"expires_at": fresh.expires_at.isoformat()},
    )


def _count_wrong_try(
    connection: Connection, user: StoredUser, stored: StoredCode, now: datetime
) -> None:
    tries = stored.state.after_wrong_try().failed_tries
    reset_code_repository.set_failed_tries(connection, stored.id, tries)
    _audit(
        connection,
        actions.RESET_CODE_WRONG,
        user,
        now,
        {"failed_tries": stored.state.failed_tries},
        {"failed_tries": tries},
    )


def _reset(
    connection: Connection, user: StoredUser, code_id: int, new_password: str, now: datetime
) -> None:
    user_repository.set_password_hash(connection, user.id, hash_password(new_password))
    before, after = lockouts.lift(connection, user, now)
    reset_code_repository.mark_used(connection, code_id, now)
    # Whoever held a session may be the one who took over the account: all of them end.
    after = {**after, "sessions_ended": user_repository.end_sessions(connection, user.id)}
    _audit(connection, actions.RESET_DONE, user, now, before, after)


def _audit(
    connection: Connection,
    action: str,
    user: StoredUser,
    now: datetime,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    # The user acts for themselves here: nobody is logged in during a reset.
    record_account_event(
        connection,
        action,
        actor=user.username,
        username=user.username,
        company_id=user.company_id,
        at=now,
        before=before,
        after=after,
    )
