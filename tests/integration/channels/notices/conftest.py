"""Each notice test starts and ends without notices: the database is shared by the whole
session, and a maintenance window left behind would keep every later test's messages."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete

from channels.notices.tables import notice_kept_messages, notice_shown, notices
from tests.integration.channels.conftest import bearer, log_in

SUPERVISOR = {"username": "supervisor", "password": "Supervisor@2026!"}


def clear_notices(engine: Engine) -> None:
    """No notice, nothing kept, nobody shown anything."""
    with engine.begin() as connection:
        for table in (notice_shown, notice_kept_messages, notices):
            connection.execute(delete(table))


@pytest.fixture(autouse=True)
def no_notices(engine: Engine) -> Iterator[None]:
    clear_notices(engine)
    yield
    clear_notices(engine)


def at(seconds: float) -> str:
    """A moment `seconds` from now, as the API takes it."""
    return (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()


def schedule(client: TestClient, **body: Any) -> dict[str, Any]:
    """Schedule a notice as the demo supervisor; the API's answer."""
    token = log_in(client, SUPERVISOR)
    response = client.post("/api/v1/notices", json=body, headers=bearer(token))
    assert response.status_code == 201, response.text
    notice: dict[str, Any] = response.json()
    return notice
