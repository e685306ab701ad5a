"""The stored lock-out state of a user and client address, and lifting every lock-out.

The rule (how many wrong passwords, how long) is LoginState's in domain/account.py; the
account-wide part is kept on the user's row, the per-address part in login_failures.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, delete, exists, func, insert, select, update

from invoicing_core.domain import audit_actions as actions
from invoicing_core.domain.account import LoginState
from invoicing_core.persistence.tables import login_failures, users
from invoicing_core.services.account_audit import record_account_event


def load(connection: Connection, user: Row[Any], address: str) -> LoginState:
    """The login state of `user` (a row of users) as seen from `address`."""
    row = connection.execute(
        select(login_failures).where(
            login_failures.c.user_id == user.id, login_failures.c.address == address
        )
    ).first()
    return LoginState(
        failed_logins=row.failed_logins if row else 0,
        lockouts=row.lockouts if row else 0,
        locked_until=row.locked_until if row else None,
        account_failures=user.failed_logins,
        account_window_start=user.failed_logins_since,
        account_locked_until=user.locked_until,
    )


def save(connection: Connection, user_id: int, address: str, state: LoginState) -> None:
    """Keep `state`; callers hold the user's row locked, so no other login races this one."""
    connection.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(
            failed_logins=state.account_failures,
            failed_logins_since=state.account_window_start,
            locked_until=state.account_locked_until,
        )
    )
    this_address = (login_failures.c.user_id == user_id) & (login_failures.c.address == address)
    if state.failed_logins == state.lockouts == 0 and state.locked_until is None:
        # A fresh start (after the right password) needs no row.
        connection.execute(delete(login_failures).where(this_address))
        return
    per_address = {
        "failed_logins": state.failed_logins,
        "lockouts": state.lockouts,
        "locked_until": state.locked_until,
    }
    if connection.execute(update(login_failures).where(this_address).values(per_address)).rowcount:
        return
    connection.execute(
        insert(login_failures).values(user_id=user_id, address=address, **per_address)
    )


def some_address_locked(now: datetime) -> ColumnElement[bool]:
    """Whether some address is locked out of the user of the enclosing query on users."""
    return exists().where(
        login_failures.c.user_id == users.c.id, login_failures.c.locked_until > now
    )


def lift(
    connection: Connection, user: Row[Any], now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Lift every lock-out of `user` and forget the wrong passwords, the account's and
    every address's; what there was and what is left, as the audit log keeps them."""
    locked_addresses = connection.execute(
        select(func.count())
        .select_from(login_failures)
        .where(login_failures.c.user_id == user.id, login_failures.c.locked_until > now)
    ).scalar_one()
    connection.execute(delete(login_failures).where(login_failures.c.user_id == user.id))
    connection.execute(
        update(users)
        .where(users.c.id == user.id)
        .values(failed_logins=0, failed_logins_since=None, locked_until=None)
    )
    locked_until = user.locked_until if user.locked_until and now < user.locked_until else None
    before = {
        "account_failures": user.failed_logins,
        "account_locked_until": locked_until.isoformat() if locked_until else None,
        "locked_addresses": int(locked_addresses),
    }
    return before, {"account_failures": 0, "account_locked_until": None, "locked_addresses": 0}


def unlock(connection: Connection, user: Row[Any], *, actor: str, at: datetime) -> None:
    """Lift every lock-out of `user` (a row of users) for `actor`, with an audit entry."""
    before, after = lift(connection, user, at)
    record_account_event(
        connection,
        actions.UNLOCK,
        actor=actor,
        username=user.username,
        company_id=user.company_id,
        at=at,
        before=before,
        after=after,
    )
