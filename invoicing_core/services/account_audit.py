"""Audit entries of account events, written in the transaction of the change they record."""

from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from invoicing_core.domain.account import LoginState
from invoicing_core.persistence.audit import AuditEntry, record


def record_account_event(
    connection: Connection,
    action: str,
    *,
    actor: str,
    username: str,
    company_id: int | None,
    at: datetime,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append an account event about `username` to the audit chain."""
    record(connection, AuditEntry(actor, action, username, at, company_id, before, after))


def login_state(state: LoginState, address: str) -> dict[str, Any]:
    """A login state, as seen from the client `address`, as the audit log keeps it."""
    return {
        "address": address,
        "failed_logins": state.failed_logins,
        "lockouts": state.lockouts,
        "locked_until": _iso(state.locked_until),
        "account_failures": state.account_failures,
        "account_locked_until": _iso(state.account_locked_until),
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
