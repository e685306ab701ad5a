"""Helpers for tests that need more users of a tenant, and their audit trail."""

from itertools import count
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.persistence.tables import audit_log
from tests.integration.invoicing_core.conftest import PASSWORD, Tenant

_serial = count(1)


def log_in(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    """Bearer headers of a fresh login."""
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def add_user(core: InvoicingCore, tenant: Tenant | None, role: Role) -> str:
    """A new user of the tenant's company (none for agents); their user name."""
    username = f"{role.value}-{tenant.company_id if tenant else 0}-{next(_serial)}"
    core.accounts.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        company_id=tenant.company_id if tenant else None,
    )
    return username


def audit_trail(core: InvoicingCore, target: str, after: int = 0) -> list[dict[str, Any]]:
    """The audit entries about `target` after the entry `after`, oldest first.

    Pass `after` (newest_audit_id before the test acts) where a target's id may have
    been used before: a migration test that downgrades the shared database and
    upgrades it again starts the ids of the dropped tables afresh, the audit log stays.
    """
    with core.engine.connect() as connection:
        rows = connection.execute(
            select(audit_log)
            .where(audit_log.c.target == target, audit_log.c.id > after)
            .order_by(audit_log.c.id)
        )
        return [dict(row._mapping) for row in rows]


def newest_audit_id(core: InvoicingCore) -> int:
    """The id of the newest audit entry (0 when there is none)."""
    with core.engine.connect() as connection:
        return int(connection.execute(select(func.max(audit_log.c.id))).scalar() or 0)
