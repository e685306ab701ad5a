"""A locked or unreachable database: requests fail cleanly, change nothing, and succeed on retry."""

import sqlite3

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings, InvoicingCore
from tests.integration.invoicing_core.conftest import Tenant
from tests.integration.invoicing_core.test_invoice_api import invoice_count, service_fee


def test_a_locked_sqlite_database_answers_503_and_the_retry_succeeds(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    before = invoice_count(core)
    holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        locked = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.issuer)
    finally:
        holder.rollback()
        holder.close()

    assert locked.status_code == 503, locked.text
    assert locked.json()["error"]["code"] == "database_unavailable"
    assert locked.headers["retry-after"]
    assert invoice_count(core) == before
    retried = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.issuer)
    assert retried.status_code == 201, retried.text
    assert invoice_count(core) == before + 1


def test_dropped_postgresql_connections_are_replaced_without_an_error(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL's server-side connections")
    assert app_client.get("/api/v1/invoices", headers=tenant.viewer).status_code == 200
    # Take the pool's connections at once to learn their server processes, as a
    # restarted server (or a failover) would drop them all.
    held = [core.engine.connect() for _ in range(3)]
    pids = [c.execute(text("SELECT pg_backend_pid()")).scalar_one() for c in held]
    for connection in held:
        connection.close()
    killer = create_engine(database_url, poolclass=NullPool)
    with killer.connect() as connection:
        for pid in pids:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    killer.dispose()
    after = app_client.get("/api/v1/invoices", headers=tenant.viewer)
    assert after.status_code == 200, after.text


def test_an_unreachable_database_answers_503_not_500(free_port: object) -> None:
    port = free_port()  # type: ignore[operator]
    url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/test?connect_timeout=2"
    app = create_app(AppSettings(log_json=False), CoreSettings(database_url=url))
    with TestClient(app) as client:
        response = client.post("/api/v1/auth/token", json={"username": "demo", "password": "x"})
    assert response.status_code == 503, response.text
    assert response.json()["error"]["code"] == "database_unavailable"
