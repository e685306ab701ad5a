"""`make cluster`: the product in its scaled shape on one machine.

HAProxy (deploy/haproxy.cfg) in front of two app workers, two Rasa replicas and two
action servers (deploy/Procfile.cluster), on PostgreSQL and Redis. Every address is a
setting; those not set in the environment get the defaults below. The app's database
and Rasa's tracker database are made when missing, migrated and given the demo data;
the secrets are the files `make run` uses (VAR_DIR), written when missing. Ctrl-C stops
every process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
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


def main() -> None:
    """Check HAProxy, prepare both databases, then run the topology under honcho."""
    if shutil.which("haproxy") is None:
        sys.exit("make cluster needs HAProxy: apt-get install haproxy")
    env = cluster_environment(dict(os.environ))
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
