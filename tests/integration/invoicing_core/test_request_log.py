"""The request log: each HTTP request with its status, duration and time in the database."""

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.integration.invoicing_core.conftest import Tenant
from tests.integration.invoicing_core.test_invoice_api import service_fee


def _logged(records: list[logging.LogRecord], path: str) -> dict[str, Any]:
    [event] = [
        r.msg
        for r in records
        if isinstance(r.msg, dict) and r.msg.get("event") == "request" and r.msg["path"] == path
    ]
    return event


def test_a_request_is_logged_with_its_time_in_the_database(
    app_client: TestClient, tenant: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("INFO", logger="channels.app"):
        issued = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.issuer)

    assert issued.status_code == 201, issued.text
    logged = _logged(caplog.records, "/api/v1/invoices")
    assert logged["status"] == 201
    assert 0 < logged["database_ms"] <= logged["duration_ms"]
