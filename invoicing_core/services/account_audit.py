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


def login_state(state: LoginState) -> dict[str, Any]:
    """A login state as the audit log keeps it."""
    locked_until = state.locked_until.isoformat() if state.locked_until else None
    return {"failed_logins": state.failed_logins, "locked_until": locked_until}
