"""The app killed in the middle of a batch issue: after a restart the batch is whole or absent.

Runs the app as its own process on a scratch SQLite file and kills it (SIGKILL) while a
batch of a few thousand invoices is being parsed and issued, at several moments.
"""

import contextlib
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from bench.invoicing_batch import template_file
from bench.stack import app_server, logged_in, prepare
from invoicing_core.persistence import make_engine
from invoicing_core.persistence.tables import idempotency_keys, invoices

INVOICES = 3000


def issued(database_url: str) -> tuple[int, int]:
    """Invoices in the database, and batch rows recorded as issued."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            count = connection.execute(select(func.count()).select_from(invoices)).scalar_one()
            keys = connection.execute(
                select(func.count()).select_from(idempotency_keys)
            ).scalar_one()
    finally:
        engine.dispose()
    return count, keys


def upload_in_background(base: str, content: bytes) -> threading.Thread:
    def upload() -> None:
        # The server is killed under the request: that is the point.
        with logged_in(base) as client, contextlib.suppress(httpx.HTTPError):
            client.post(
                "/api/v1/invoices/batch",
                files={"file": ("batch.xlsx", content, "application/octet-stream")},
                timeout=120,
            )

    thread = threading.Thread(target=upload, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("kill_after", [1.0, 2.0, 3.0])
def test_a_batch_is_never_half_issued_when_the_app_is_killed(
    tmp_path: Path, kill_after: float
) -> None:
    database_url = f"sqlite:///{tmp_path / 'crash.db'}"
    prepare(database_url)
    content = template_file(INVOICES)

    with app_server(database_url, tmp_path) as (base, server):
        thread = upload_in_background(base, content)
        thread.join(timeout=kill_after)
        server.kill()
        server.wait(timeout=30)
        thread.join(timeout=30)
    count, keys = issued(database_url)
    assert (count, keys) in ((0, 0), (INVOICES, INVOICES)), (kill_after, count, keys)

    with app_server(database_url, tmp_path) as (base, _server), logged_in(base) as client:
        again = client.post(
            "/api/v1/invoices/batch",
            files={"file": ("batch.xlsx", content, "application/octet-stream")},
            timeout=120,
        )
    assert again.status_code == 200, again.text
    outcome = again.json()
    # Uploading the same file again finishes the job: what was issued is not issued twice.
    assert outcome["accepted"] + len(outcome["rejected"]) == INVOICES
    assert issued(database_url) == (INVOICES, INVOICES)
