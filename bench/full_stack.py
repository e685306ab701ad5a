"""The whole assistant (app, Rasa, action server) started with honcho on free ports."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.processes import listening_pid
from bench.stack import ROOT, free_port

STARTUP_SECONDS = 240
PROCESS_PORTS = {"app": "APP_PORT", "rasa": "RASA_PORT", "action_server": "ACTION_PORT"}


class StackFailed(RuntimeError):
    """The stack exited or did not become healthy; the message ends with its log."""


@dataclass(frozen=True)
class FullStack:
    """Where the running stack answers, and the file its processes log to."""

    app_url: str
    rasa_url: str
    log: Path
    env: dict[str, str]

    def pids(self) -> dict[str, int]:
        """The pids of the app, Rasa and the action server: who listens on their ports."""
        found = {name: listening_pid(int(self.env[port])) for name, port in PROCESS_PORTS.items()}
        missing = [name for name, pid in found.items() if pid is None]
        if missing:
            raise RuntimeError(f"not listening: {missing}")
        return {name: pid for name, pid in found.items() if pid is not None}


@contextmanager
def running_stack(
    var_dir: Path, extra_env: dict[str, str] | None = None, root: Path = ROOT
) -> Iterator[FullStack]:
    """Migrate a private database in `var_dir`, seed the demo data and run the Procfile
    of the checkout at `root` (this one, or an older commit's, bench/baseline.py)."""
    ports = {"APP_PORT": free_port(), "RASA_PORT": free_port(), "ACTION_PORT": free_port()}
    env = {
        **os.environ,
        **{name: str(port) for name, port in ports.items()},
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": f"sqlite:///{var_dir / 'app.db'}",
        # The index the set-up built from knowledge/entries: up to date, so not rebuilt.
        "KNOWLEDGE_SOURCE": str(root / "knowledge" / "entries"),
        "KNOWLEDGE_INDEX_DIR": str(root / "var" / "knowledge-index"),
        **(extra_env or {}),
    }
    python = ROOT / ".venv" / "bin" / "python"
    for command in _preparation(root, var_dir):
        subprocess.run([python, "-m", *command], env=env, cwd=root, check=True)
    app_url = f"http://127.0.0.1:{ports['APP_PORT']}"
    honcho: list[str | Path] = [ROOT / ".venv" / "bin" / "honcho", "start", "-f", "Procfile"]
    with processes_running(honcho, env, var_dir / "stack.log", app_url, cwd=root) as log:
        yield FullStack(app_url, f"http://127.0.0.1:{ports['RASA_PORT']}", log, env)


def _preparation(root: Path, var_dir: Path) -> list[list[str]]:
    """The commands that give a checkout's stack its secrets, database and demo data."""
    if not (root / "channels" / "service_secrets.py").is_file():
        # Before the service secrets, the set-up wrote the actions' token alone.
        (var_dir / "actions-token").write_text(secrets.token_urlsafe(32))
        return [["channels", "migrate"], ["invoicing_core", "seed-demo"]]
    return [["channels", "secrets"], ["channels", "migrate"], ["invoicing_core", "seed-demo"]]


@contextmanager
def processes_running(
    command: Sequence[str | Path],
    env: dict[str, str],
    log: Path,
    healthy_url: str,
    cwd: Path = ROOT,
) -> Iterator[Path]:
    """Run `command` (honcho, or a script that becomes it) in `cwd` in a session of its
    own, its output in `log`, until `healthy_url`/healthz answers 200; stop them all on exit."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_healthy(process, healthy_url, log)
        yield log
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def _wait_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise StackFailed(f"the stack exited early:\n{log.read_text()[-3000:]}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise StackFailed(f"not healthy within {STARTUP_SECONDS} s:\n{log.read_text()[-3000:]}")
