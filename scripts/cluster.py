"""`make cluster`: the product in its scaled shape on one machine.

HAProxy (deploy/haproxy.cfg) in front of two app workers, two Rasa replicas and two
action servers (deploy/Procfile.cluster), on PostgreSQL and Redis. Every address is a
setting; those not set in the environment get the defaults below. The app's database
and Rasa's tracker database are made when missing, migrated and given the demo data;
the secrets are the files `make run` uses (VAR_DIR), written when missing. Ctrl-C stops
every process.

    scripts/cluster.py            start the cluster (make cluster)
    scripts/cluster.py restart    restart its processes one at a time (a rolling restart)
    scripts/cluster.py upgrade [--to DIR]
                                  `python -m channels upgrade` on the cluster's database,
                                  then the rolling restart (make cluster-upgrade)

A rolling restart stops one process at a time with SIGTERM: an app worker stops taking
connections (HAProxy sends new ones to the other worker: `retries` and `option
redispatch` in deploy/haproxy.cfg), finishes the requests it holds and closes its widget
sockets, which reconnect through HAProxy to the other worker and send again what was not
answered (stored once by its client id); Rasa and the action server finish their requests
the same way. scripts/restarting starts it again; the next process is stopped only once
this one answers its health check and HAProxy has had the time to count it up again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a file: bench.processes is found from the root
    sys.path.insert(0, str(ROOT))
from bench.processes import listening_pid  # noqa: E402

PYTHON = ROOT / ".venv" / "bin" / "python"

# One machine's defaults; on several hosts set each to the host's private address.
DEFAULTS = {
    "CLUSTER_HOST": "127.0.0.1",
    "CLUSTER_PORT": "8000",
    "APP_1_ADDR": "127.0.0.1:8001",
    "APP_2_ADDR": "127.0.0.1:8002",
    "RASA_BALANCER_ADDR": "127.0.0.1:5005",
    "RASA_1_ADDR": "127.0.0.1:5015",
    "RASA_2_ADDR": "127.0.0.1:5025",
    "ACTIONS_BALANCER_ADDR": "127.0.0.1:5055",
    "ACTIONS_1_ADDR": "127.0.0.1:5065",
    "ACTIONS_2_ADDR": "127.0.0.1:5075",
    "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:5432/kaipiao",
    "RASA_TRACKER_URL": "postgresql://postgres@127.0.0.1:5432/kaipiao_rasa",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "RASA_REDIS_HOST": "127.0.0.1",
    "RASA_REDIS_PORT": "6379",
    "RASA_REDIS_DB": "1",
}


def cluster_environment(base: dict[str, str]) -> dict[str, str]:
    """The environment of every process: the settings, then the URLs derived from them."""
    env = {**DEFAULTS, **base}
    derived = {
        # The app finds Rasa and the action server (health) through their balancers,
        # Rasa finds the action servers through theirs, the actions call the app's.
        "RASA_URL": f"http://{env['RASA_BALANCER_ADDR']}",
        "ACTION_SERVER_URL": f"http://{env['ACTIONS_BALANCER_ADDR']}",
        "APP_URL": f"http://{env['CLUSTER_HOST']}:{env['CLUSTER_PORT']}",
        "RASA_ENDPOINTS": "endpoints.scale.yml",
        # The workers believe X-Forwarded-For from the balancer only.
        "FORWARDED_ALLOW_IPS": env["CLUSTER_HOST"],
    }
    return {**derived, **env}


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database a URL names when it does not exist yet."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(scheme="postgresql", path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if found.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')  # a name from our own settings
            print(f"[cluster] database {name}: created", flush=True)


# What a rolling restart takes down, in order, by the address each listens on and the
# health check HAProxy asks it (deploy/haproxy.cfg). The app first: a newer app answers
# the older actions; then the actions, which a newer bot model may need; Rasa last.
ROLLING = (
    ("app worker 1", "APP_1_ADDR", "/healthz"),
    ("app worker 2", "APP_2_ADDR", "/healthz"),
    ("action server 1", "ACTIONS_1_ADDR", "/health"),
    ("action server 2", "ACTIONS_2_ADDR", "/health"),
    ("Rasa replica 1", "RASA_1_ADDR", "/"),
    ("Rasa replica 2", "RASA_2_ADDR", "/"),
)
# HAProxy counts a server up again after `rise 2` passing checks `inter 3s` apart.
HAPROXY_RISE_SECONDS = 2 * 3 + 1
BACK_TIMEOUT_SECONDS = 300


def rolling_restart(env: dict[str, str], say: Callable[[str], None] = print) -> None:
    """Restart every process of the running cluster, one at a time (the module's doc)."""
    for name, setting, health in ROLLING:
        began = time.monotonic()
        old, new = restart(env[setting], health, float(env.get("RESTART_MIN_UPTIME", "30")))
        say(f"[cluster] {name}: restarted (pid {old} → {new}) in {time.monotonic() - began:.0f} s")


def restart(address: str, health: str, min_uptime: float) -> tuple[int, int]:
    """Stop the process listening on `address` (host:port) gracefully; return once the one
    scripts/restarting starts in its place answers `health` and HAProxy counts it up."""
    port = int(address.rpartition(":")[2])
    pid = listening_pid(port)
    if pid is None:
        raise RuntimeError(f"nothing listens on {address}: is the cluster running?")
    # scripts/restarting takes a quicker end for a failed start and stops the cluster.
    time.sleep(max(0.0, min_uptime + 1 - _running_seconds(pid)))
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + BACK_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        new = listening_pid(port)
        if new is not None and new != pid and _healthy(address, health):
            time.sleep(HAPROXY_RISE_SECONDS)
            return pid, new
        time.sleep(0.5)
    raise RuntimeError(f"{address} did not come back healthy")


def _healthy(address: str, path: str) -> bool:
    try:
        return httpx.get(f"http://{address}{path}", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False


def _running_seconds(pid: int) -> float:
    """How long process `pid` has run (/proc: its start in clock ticks after boot)."""
    started = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[19])
    booted_seconds = float(Path("/proc/uptime").read_text().split()[0])
    return booted_seconds - started / os.sysconf("SC_CLK_TCK")


def upgrade(env: dict[str, str], arguments: list[str]) -> None:
    """`python -m channels upgrade` on the cluster's database, then the rolling restart;
    a failed upgrade step (exit status 2, the step said) restarts nothing."""
    command: list[str | Path] = [PYTHON, "-m", "channels", "upgrade", *arguments]
    done = subprocess.run(command, cwd=ROOT, env=env, check=False)
    if done.returncode != 0:
        sys.exit(done.returncode)
    rolling_restart(env)
    print("[cluster] rolling upgrade done: every process restarted", flush=True)


def main() -> None:
    """Start the cluster; or restart (upgrade) a running one, one process at a time."""
    command, arguments = (sys.argv[1:2] or ["start"])[0], sys.argv[2:]
    env = cluster_environment(dict(os.environ))
    try:
        if command == "restart":
            rolling_restart(env)
        elif command == "upgrade":
            upgrade(env, arguments)
        elif command == "start":
            start(env)
        else:
            sys.exit("usage: scripts/cluster.py [start | restart | upgrade [--to DIR]]")
    except RuntimeError as stopped:  # a process not running, or not back: the rest serve
        sys.exit(f"[cluster] stopped: {stopped}")


def start(env: dict[str, str]) -> None:
    """Check HAProxy, prepare both databases, then run the topology under honcho."""
    if shutil.which("haproxy") is None:
        sys.exit("make cluster needs HAProxy: apt-get install haproxy")
    for url in (env["DATABASE_URL"], env["RASA_TRACKER_URL"]):
        ensure_database(url)
    for command in ("channels secrets", "channels migrate", "invoicing_core seed-demo"):
        subprocess.run([PYTHON, "-m", *command.split()], cwd=ROOT, env=env, check=True)
    honcho = ROOT / ".venv" / "bin" / "honcho"
    os.chdir(ROOT)
    # honcho takes this process over, so Ctrl-C reaches it directly.
    os.execve(honcho, [str(honcho), "start", "-f", "deploy/Procfile.cluster"], env)  # noqa: S606


if __name__ == "__main__":
    main()
