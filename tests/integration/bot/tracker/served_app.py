"""The real app, served for the actions: started with the app's own Python (.venv, 3.11).

The actions run in Rasa's environment (.venv-rasa, Python 3.10), where the app cannot be
imported; so it runs as a subprocess (uvicorn, channels.app:create_app) on 127.0.0.1,
on a SQLite database in a temporary folder that the project's own commands migrate and
seed with the demo data (`python -m channels migrate`, `python -m invoicing_core seed-demo`).
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parents[4]
APP_PYTHON = ROOT / ".venv" / "bin" / "python"
STARTUP_SECONDS = 120
DEMO = {"username": "demo", "password": "Demo@2026!"}


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True)
class App:
    """The running app: its URL, database and the demo user's token."""

    url: str
    database: Path
    token: str

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to /api/v1 as the demo user."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def as_admin(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A call to /api/v1 as the demo company's admin."""
        login = {"username": "admin", "password": "Admin@2026!"}
        token = requests.post(f"{self.url}/api/v1/auth/token", json=login, timeout=30)
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        return requests.request(
            method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kwargs
        )

    def issue(self, kind: str, buyer: str, item: str, price: str, rate: str) -> str:
        """Issue a one-line, tax-inclusive invoice through the API, not the bot; its number."""
        line = {"name": item, "quantity": "1", "unit_price": price, "tax_rate": rate}
        body = {"kind": kind, "buyer": {"name": buyer}, "lines": [{**line, "tax_included": True}]}
        response = self.api("POST", "/invoices", json=body)
        assert response.status_code == 201, response.text
        number: str = response.json()["number"]
        return number

    def conversation(self, token: str | None) -> str:
        """A new conversation of the app (of the demo user, or anonymous): what the actions
        act for. Its first message finds no Rasa, so the app answers 503 bot_unavailable,
        with the conversation it kept the message in."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        response = requests.post(
            f"{self.url}/api/v1/chat", json={"message": "你好"}, headers=headers, timeout=30
        )
        error = response.json().get("error") or {}
        assert error.get("code") == "bot_unavailable", response.text
        conversation_id: str = error["conversation_id"]
        return conversation_id


def environment(var: Path, actions_token: str) -> dict[str, str]:
    """The app's settings: a private database and folder, the set-up's knowledge index."""
    return {
        **os.environ,
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'app.db'}",
        "ACTIONS_TOKEN": actions_token,
        # Nothing listens there: the app's turn fails over without Rasa.
        "RASA_URL": f"http://127.0.0.1:{free_port()}",
        "KNOWLEDGE_SOURCE": str(ROOT / "knowledge" / "entries"),
        "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "knowledge-index"),
        "LOG_LEVEL": "WARNING",
        "RATE_LIMIT_LOGIN": "100000/minute",
        "RATE_LIMIT_CHAT": "100000/minute",
        "RATE_LIMIT_WECHAT": "100000/minute",
    }


def prepare(env: dict[str, str]) -> None:
    """Migrate the database and seed the demo company, users and paper stock."""
    for command in (["channels", "migrate"], ["invoicing_core", "seed-demo"]):
        subprocess.run(
            [APP_PYTHON, "-m", *command], env=env, cwd=ROOT, check=True, capture_output=True
        )


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if requests.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"the app did not start:\n{log.read_text()[-3000:]}")


@contextmanager
def served(var: Path, actions_token: str) -> Iterator[App]:
    """The app on a fresh database in `var`, logged in as the demo user, until the end."""
    env = environment(var, actions_token)
    prepare(env)
    port, log = free_port(), var / "app.log"
    command = ["-m", "uvicorn", "--factory", "channels.app:create_app", "--no-access-log"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [APP_PYTHON, *command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(url, process, log)
        login = requests.post(f"{url}/api/v1/auth/token", json=DEMO, timeout=30)
        assert login.status_code == 200, login.text
        yield App(url, var / "app.db", login.json()["access_token"])
    finally:
        process.terminate()
        process.wait(timeout=30)
