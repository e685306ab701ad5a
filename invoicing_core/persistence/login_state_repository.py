"""The stored lock-out state of a user and client address.

The rule (how many wrong passwords, how long) is LoginState's in domain/account.py; the
account-wide part is kept on the user's row, the per-address part in login_failures.
"""

from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from invoicing_core.domain.account import LoginState
from invoicing_core.persistence.tables import login_failures, users
from invoicing_core.persistence.user_repository import StoredUser


def load(connection: Connection, user: StoredUser, address: str) -> LoginState:
    """The login state of `user` as seen from `address`."""
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


def clear(connection: Connection, user_id: int, now: datetime) -> int:
    """Forget the user's wrong passwords and lock-outs, the account's and every address's.

    Returns how many addresses were locked out at `now`, for the audit log.
    """
    locked_addresses = connection.execute(
        select(func.count())
        .select_from(login_failures)
        .where(login_failures.c.user_id == user_id, login_failures.c.locked_until > now)
    ).scalar_one()
    connection.execute(delete(login_failures).where(login_failures.c.user_id == user_id))
    connection.execute(
        update(users)
        .where(users.c.id == user_id)
        .values(failed_logins=0, failed_logins_since=None, locked_until=None)
    )
    return int(locked_addresses)
