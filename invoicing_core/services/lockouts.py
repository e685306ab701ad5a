"""Lifting every lock-out of a user, with what there was kept in the audit log.

The rule (how many wrong passwords, how long) is LoginState's in domain/account.py; the
stored state is login_state_repository's.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from invoicing_core.domain import audit_actions as actions
from invoicing_core.persistence import login_state_repository
from invoicing_core.persistence.user_repository import StoredUser
from invoicing_core.services.account_audit import record_account_event


def lift(
    connection: Connection, user: StoredUser, now: datetime
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Lift every lock-out of `user` and forget the wrong passwords, the account's and
    every address's; what there was and what is left, as the audit log keeps them."""
    locked_addresses = login_state_repository.clear(connection, user.id, now)
    locked_until = user.locked_until if user.locked_until and now < user.locked_until else None
    before = {
        "account_failures": user.failed_logins,
        "account_locked_until": locked_until.isoformat() if locked_until else None,
        "locked_addresses": locked_addresses,
    }
    return before, {"account_failures": 0, "account_locked_until": None, "locked_addresses": 0}


def unlock(connection: Connection, user: StoredUser, *, actor: str, at: datetime) -> None:
    """Lift every lock-out of `user` for `actor`, with an audit entry."""
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
