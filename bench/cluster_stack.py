"""`make cluster` started for tests and benchmarks: free ports, private databases.

The topology is the one scripts/cluster.py runs (HAProxy, two app workers, two Rasa
replicas, two action servers); only its settings differ: every address on a free
port, a private VAR_DIR (secrets), two PostgreSQL databases made for the run and
dropped after it, and Redis databases apart from the development cluster's.
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

from bench.full_stack import processes_running
from bench.processes import listening_pid
from bench.report import RESULTS
from bench.stack import ROOT, free_port

# The PostgreSQL server the run makes its databases on (the machine's, trust auth).
SERVER_URL = os.environ.get("CLUSTER_TEST_SERVER", "postgresql://postgres@127.0.0.1:5432/postgres")
ADDRESSES = (
    "APP_1_ADDR",
    "APP_2_ADDR",
    "RASA_BALANCER_ADDR",
    "RASA_1_ADDR",
    "RASA_2_ADDR",
    "ACTIONS_BALANCER_ADDR",
    "ACTIONS_1_ADDR",
    "ACTIONS_2_ADDR",
)


# The processes of the cluster by the address setting each listens on, and their kind.
PROCESSES = {
    "APP_1_ADDR": "app",
    "APP_2_ADDR": "app",
    "RASA_1_ADDR": "rasa",
    "RASA_2_ADDR": "rasa",
    "ACTIONS_1_ADDR": "actions",
    "ACTIONS_2_ADDR": "actions",
    "CLUSTER_PORT": "haproxy",
}


@dataclass(frozen=True)
class Cluster:
    """Where the running cluster answers: its balancer and each app worker."""

    url: str
    workers: tuple[str, str]
    log: Path
    env: dict[str, str]

    @property
    def app_url(self) -> str:
        """Where users reach it (the balancer), as for bench.full_stack's stack."""
        return self.url

    def port(self, setting: str) -> int:
        """The port of an address setting (`host:port`, or a port alone)."""
        return int(self.env[setting].rpartition(":")[2])

    def pids(self) -> dict[str, int]:
        """Each process's pid, by the address setting it listens on."""
        found = {setting: listening_pid(self.port(setting)) for setting in PROCESSES}
        missing = [setting for setting, pid in found.items() if pid is None]
        if missing:
            raise RuntimeError(f"nothing listens on {', '.join(missing)}")
        return {setting: pid for setting, pid in found.items() if pid is not None}


def keep_log(log: Path, name: str) -> None:
    """Keep a stopped cluster's log as bench/results/NAME.log, for reading what happened."""
    RESULTS.mkdir(exist_ok=True)
    if log.exists():
        shutil.copyfile(log, RESULTS / f"{name}.log")


def _wait_complete(cluster: Cluster, seconds: float = 240) -> None:
    """Until every process listens: the balancer is healthy with one Rasa replica up,
    and a measurement needs both."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            cluster.pids()
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def _server(server_url: str, database: str) -> str:
    return urlsplit(server_url)._replace(path=f"/{database}").geturl()


@contextmanager
def running_cluster(
    var_dir: Path, extra_env: dict[str, str] | None = None, server_url: str = SERVER_URL
) -> Iterator[Cluster]:
    """The cluster on free ports with databases of its own (on the PostgreSQL server at
    `server_url`), stopped and dropped after."""
    suffix = secrets.token_hex(4)
    databases = (f"kaipiao_t{suffix}", f"kaipiao_rasa_t{suffix}")
    addresses = {name: f"127.0.0.1:{free_port()}" for name in ADDRESSES}
    env = {
        **os.environ,
        **addresses,
        "CLUSTER_HOST": "127.0.0.1",
        "CLUSTER_PORT": str(free_port()),
        "VAR_DIR": str(var_dir),
        "DATABASE_URL": _server(server_url, databases[0]).replace(
            "postgresql:", "postgresql+psycopg:", 1
        ),
        "RASA_TRACKER_URL": _server(server_url, databases[1]),
        "REDIS_URL": "redis://127.0.0.1:6379/2",
        "RASA_REDIS_DB": "3",
        "LOG_JSON": "false",
        **(extra_env or {}),
    }
    url = f"http://127.0.0.1:{env['CLUSTER_PORT']}"
    workers = (f"http://{addresses['APP_1_ADDR']}", f"http://{addresses['APP_2_ADDR']}")
    command: list[str | Path] = [ROOT / ".venv" / "bin" / "python", ROOT / "scripts" / "cluster.py"]
    try:
        with processes_running(command, env, var_dir / "cluster.log", url) as log:
            cluster = Cluster(url, workers, log, env)
            _wait_complete(cluster)
            yield cluster
    finally:
        _drop(server_url, databases)


def _drop(server_url: str, databases: tuple[str, ...]) -> None:
    with psycopg.connect(server_url, autocommit=True) as connection:
        for name in databases:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
