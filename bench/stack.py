"""Start the app alone (no Rasa) on a scratch database, for benchmarks of its API."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import httpx

from channels.app import migrate_database
from invoicing_core import CoreSettings, InvoicingCore, Role

ROOT = Path(__file__).resolve().parent.parent
BENCH_PASSWORD = "Bench@2026!"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def prepare(database_url: str) -> None:
    """Migrate the database and create a company with a quota no benchmark exhausts."""
    core = InvoicingCore.open(CoreSettings(database_url=database_url))
    try:
        migrate_database(core.engine)
        if core.accounts.company_id_by_tax_id("91420100MA00000002") is None:
            company = core.accounts.create_company(
                name="武汉基准测试有限公司",
                tax_id="91420100MA00000002",
                monthly_quota=Decimal("999999999999"),
            )
            core.accounts.create_user(
                username="bench", password=BENCH_PASSWORD, role=Role.ISSUER, company_id=company
            )
    finally:
        core.close()


@contextmanager
def app_server(database_url: str, var_dir: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """The app in its own uvicorn process, once it answers; yields its URL and process."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "LOG_LEVEL": "WARNING",
    }
    command = ["-m", "uvicorn", "--factory", "channels.app:create_app", "--port", str(port)]
    server = subprocess.Popen([sys.executable, *command, "--no-access-log"], cwd=ROOT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(base, server)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_ready(base: str, server: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            httpx.get(f"{base}/openapi.json", timeout=1).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"the app at {base} did not start (exit code {server.poll()})")


def logged_in(base: str) -> httpx.Client:
    """A client of the app at `base`, logged in as the bench user."""
    login = {"username": "bench", "password": BENCH_PASSWORD}
    token = httpx.post(f"{base}/api/v1/auth/token", json=login).json()["access_token"]
    return httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30)


@contextmanager
def running_app(database_url: str, var_dir: Path) -> Iterator[httpx.Client]:
    """The app in its own uvicorn process; yields a client logged in as the bench user."""
    prepare(database_url)
    with app_server(database_url, var_dir) as (base, _server), logged_in(base) as client:
        yield client
