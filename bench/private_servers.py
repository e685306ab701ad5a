"""A Redis and a PostgreSQL server of a benchmark's own, which it may stop and restart.

The machine's servers are shared with everything else on it; a fault benchmark that
stops Redis for 30 s or restarts PostgreSQL runs its own instead: Debian's
`redis-server` without persistence, and a PostgreSQL cluster made with `initdb` in a
scratch folder (trust auth, as the machine's), run as the `postgres` user, since
PostgreSQL refuses to run as root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis

from bench.processes import listening_pid
from bench.stack import free_port

AS_POSTGRES = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@dataclass
class PrivateRedis:
    """A redis-server on a free port; `stop` and `start` it at will."""

    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextmanager
def private_redis() -> Iterator[PrivateRedis]:
    """A running Redis of the caller's own, stopped after."""
    server = PrivateRedis(free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass(frozen=True)
class PrivatePostgres:
    """A PostgreSQL cluster in `folder`, listening on `port`."""

    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def pg_ctl(self, *args: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        command = [*AS_POSTGRES, "pg_ctl", "-D", str(self.folder / "data"), "-o", options]
        subprocess.run([*command, "-w", "-l", str(self.folder / "log"), *args], check=True)

    def restart(self) -> None:
        """Stop it (fast: connections are cut) and start it again; returns when it is up."""
        self.pg_ctl("-m", "fast", "restart")

    def listening(self) -> bool:
        return listening_pid(self.port) is not None


@contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A fresh PostgreSQL cluster in a folder of its own, running; removed after."""
    folder = Path(tempfile.mkdtemp(prefix="kaipiao-postgres-"))
    try:
        if AS_POSTGRES:
            shutil.chown(folder, "postgres")
        initdb = ["initdb", "-D", str(folder / "data"), "-U", "postgres", "-A", "trust"]
        subprocess.run([*AS_POSTGRES, *initdb], check=True, capture_output=True)
        server = PrivatePostgres(folder, free_port())
        server.pg_ctl("start")
        try:
            yield server
        finally:
            server.pg_ctl("-m", "immediate", "stop")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
