"""Resetting a forgotten password with a one-time code sent to the user."""

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, Row, delete, func, insert, or_, select, update

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
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.tables import access_tokens, password_reset_codes, users
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
            user = _user_named(connection, username)
            if user is None:
                return
            to_user, to_user_from_address, from_address = _codes_sent_since(
                connection, user.id, address, now - CODES_WINDOW
            )
            if not may_send_another_code(
                to_user=to_user,
                to_user_from_address=to_user_from_address,
                from_address=from_address,
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
            user = _user_named(connection, username)
            stored = None if user is None else _latest_code(connection, user.id)
            if user is None or stored is None or not _state(stored).is_usable(now):
                verify_password(None, code)  # the same time as checking a real code
                raise invalid_reset_code()
            if verify_password(stored.code_hash, code):
                _reset(connection, user, stored.id, new_password, now)
                return
            _count_wrong_try(connection, user, stored, now)
        # Raised after the commit, so that the wrong try is counted.
        raise invalid_reset_code()

    def _deliver(self, user: Row[Any], code: str) -> None:
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


def _user_named(connection: Connection, username: str) -> Row[Any] | None:
    return connection.execute(
        select(users).where(users.c.username == username).with_for_update()
    ).first()


def _codes_sent_since(
    connection: Connection, user_id: int, address: str, since: datetime
) -> tuple[int, int, int]:
    # To the user, to the user at the address's request, and at the address's request.
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
    return int(sent[0]), int(sent[1]), int(sent[2])


def _store_code(
    connection: Connection, user: Row[Any], address: str, code_hash: str, now: datetime
) -> None:
    fresh = ResetCode.issued_at(now)
    connection.execute(
        insert(password_reset_codes).values(
            user_id=user.id,
            address=address,
            code_hash=code_hash,
            created_at=now,
            expires_at=fresh.expires_at,
            failed_tries=0,
        )
    )
    _audit(
        connection,
        actions.RESET_REQUESTED,
        user,
        now,
        None,
        {"expires_at": fresh.expires_at.isoformat()},
    )


def _latest_code(connection: Connection, user_id: int) -> Row[Any] | None:
    # Only the newest code counts: asking again makes the earlier codes useless.
    return connection.execute(
        select(password_reset_codes)
        .where(password_reset_codes.c.user_id == user_id)
        .order_by(password_reset_codes.c.id.desc())
        .limit(1)
        .with_for_update()
    ).first()


def _state(stored: Row[Any]) -> ResetCode:
    return ResetCode(stored.expires_at, stored.failed_tries, stored.used_at is not None)


def _count_wrong_try(
    connection: Connection, user: Row[Any], stored: Row[Any], now: datetime
) -> None:
    tries = _state(stored).after_wrong_try().failed_tries
    connection.execute(
        update(password_reset_codes)
        .where(password_reset_codes.c.id == stored.id)
        .values(failed_tries=tries)
    )
    _audit(
        connection,
        actions.RESET_CODE_WRONG,
        user,
        now,
        {"failed_tries": stored.failed_tries},
        {"failed_tries": tries},
    )


def _reset(
    connection: Connection, user: Row[Any], code_id: int, new_password: str, now: datetime
) -> None:
    connection.execute(
        update(users).where(users.c.id == user.id).values(password_hash=hash_password(new_password))
    )
    before, after = lockouts.lift(connection, user, now)
    connection.execute(
        update(password_reset_codes).where(password_reset_codes.c.id == code_id).values(used_at=now)
    )
    # Whoever held a session may be the one who took over the account: all of them end.
    revoked = connection.execute(delete(access_tokens).where(access_tokens.c.user_id == user.id))
    after = {**after, "sessions_ended": revoked.rowcount}
    _audit(connection, actions.RESET_DONE, user, now, before, after)


def _audit(
    connection: Connection,
    action: str,
    user: Row[Any],
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
