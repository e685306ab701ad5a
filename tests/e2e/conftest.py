"""The real stack (app, Rasa, action server) started once per test session with honcho."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 240


@dataclass(frozen=True)
class Stack:
    """Where the running stack answers."""

    app_url: str
    rasa_url: str
    log: Path


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the stack exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    pytest.fail(f"the stack was not healthy within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def stack(
    tmp_path_factory: pytest.TempPathFactory, free_port: Callable[[], int]
) -> Iterator[Stack]:
    """Start the Procfile's processes on free ports with a private var folder."""
    var_dir = tmp_path_factory.mktemp("var")
    ports = {"APP_PORT": free_port(), "RASA_PORT": free_port(), "ACTION_PORT": free_port()}
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'app.db'}",
        # The index the set-up built from knowledge/entries: up to date, so not rebuilt.
        "KNOWLEDGE_SOURCE": str(ROOT / "knowledge" / "entries"),
        "KNOWLEDGE_INDEX_DIR": str(ROOT / "var" / "knowledge-index"),
    }
    (var_dir / "actions-token").write_text("e2e-actions-token")
    venv = ROOT / ".venv" / "bin"
    subprocess.run([venv / "python", "-m", "channels", "migrate"], env=env, cwd=ROOT, check=True)
    log = var_dir / "stack.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [venv / "honcho", "start", "-f", "Procfile"],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app_url = f"http://127.0.0.1:{ports['APP_PORT']}"
    try:
        _wait_healthy(process, app_url, log)
        yield Stack(app_url, f"http://127.0.0.1:{ports['RASA_PORT']}", log)
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium driven by Playwright; skipped (with the reason) where none is installed."""
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium installed: `apt-get install chromium` (.ci/run does this)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
