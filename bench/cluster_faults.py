"""Faults under load on the cluster: processes killed, Redis stopped, PostgreSQL restarted.

Starts the topology of `make cluster` (bench/cluster_stack.py) on a Redis and a
PostgreSQL of its own (bench/private_servers.py, so it may stop them), holds
`--connections` widget sockets through HAProxy with `--active` of them asking
(bench/scale.py's load, reconnecting as the widget does), and every `--fault-every`
seconds brings one fault: app worker 1, Rasa replica 1 and action server 1 killed
(SIGKILL; scripts/restarting starts each again), Redis stopped for REDIS_DOWN_SECONDS,
PostgreSQL restarted (fast: its connections cut); or, with `--only rolling`, the
rolling restart of `make cluster-upgrade` (scripts/cluster.py: `rolling_restart`): every
app worker, action server and Rasa replica restarted one at a time, each healthy before
the next. Then it checks every active conversation against the store (nothing lost,
duplicated or unanswered) and prints what each fault cost: turns refused (an error frame
such as `bot_unavailable`), sockets lost or refused, and the seconds from the fault to
the last turn or socket that failed or took over SLOW_FACTOR times the p95 before the
first fault.

    .venv/bin/python -m bench.cluster_faults [--connections 100] [--active 20]
        [--fault-every 90] [--only redis | --only rolling]

`--only` keeps the faults whose name contains it; the rolling restart, minutes long, runs
only when named (`--only rolling`). The cluster's log is kept as
bench/results/cluster_faults.log.

Exits with 1 when a message was lost, duplicated or left unanswered, a question went
unanswered for 120 s, or a reconnected widget missed its history.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx

from bench.cluster_stack import Cluster, keep_log, running_cluster
from bench.conversation import TURNS, UNLIMITED, http_conversation
from bench.private_servers import PrivatePostgres, PrivateRedis, private_postgres, private_redis
from bench.processes import listening_pid
from bench.report import percentiles, publish
from bench.scale import Client, check_store, hold, summary
from scripts.cluster import rolling_restart

# The processes killed, by the address each listens on.
KILLED = (
    ("app worker", "APP_1_ADDR"),
    ("Rasa replica", "RASA_1_ADDR"),
    ("action server", "ACTIONS_1_ADDR"),
)
REDIS_DOWN_SECONDS = 30
ROLLING = "rolling restart of everything"
# The load goes on this much longer with the rolling restart in the plan: six processes
# restarted one after the other, two of them Rasa replicas loading their model (310 s
# in all on 2 cores at a load of 11, 380 s at a load of 17).
ROLLING_SECONDS = 420
SLOW_FACTOR = 3
BACK_TIMEOUT_SECONDS = 180
Fault = tuple[str, Callable[[], Awaitable[None]]]


@dataclass(frozen=True)
class Servers:
    """What the faults act on: the cluster and its own Redis and PostgreSQL."""

    cluster: Cluster
    redis: PrivateRedis
    postgres: PrivatePostgres


@contextmanager
def fault_servers(var_dir: Path) -> Iterator[Servers]:
    """The cluster on a Redis and a PostgreSQL of its own, which the faults may stop."""
    with private_redis() as redis_server, private_postgres() as postgres:
        own = {
            **UNLIMITED,
            "REDIS_URL": redis_server.url,
            "RASA_REDIS_PORT": str(redis_server.port),
            "RASA_REDIS_DB": "1",
        }
        with running_cluster(var_dir, own, postgres.url) as cluster:
            yield Servers(cluster, redis_server, postgres)


async def kill(cluster: Cluster, address: str) -> None:
    """SIGKILL the process listening on `address`; return once one listens there again."""
    port = cluster.port(address)
    pid = listening_pid(port)
    if pid is None:
        raise RuntimeError(f"nothing listens on {address} ({port})")
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    while listening_pid(port) in (None, pid):
        if time.monotonic() - killed > BACK_TIMEOUT_SECONDS:
            raise RuntimeError(f"nothing listens on {address} again")
        await asyncio.sleep(0.5)


async def restart_everything(cluster: Cluster) -> None:
    """The rolling restart an upgrade ends with, each process said as it is back."""
    await asyncio.to_thread(rolling_restart, cluster.env, partial(print, flush=True))


async def stop_redis(servers: Servers) -> None:
    servers.redis.stop()
    await asyncio.sleep(REDIS_DOWN_SECONDS)
    await asyncio.to_thread(servers.redis.start)


async def restart_postgres(servers: Servers) -> None:
    await asyncio.to_thread(servers.postgres.restart)


def fault_plan(servers: Servers, only: str = "") -> list[Fault]:
    """Each fault's name and what brings it, in order; those whose name has `only`."""
    plan: list[Fault] = [
        (f"kill {name} 1", partial(kill, servers.cluster, address)) for name, address in KILLED
    ]
    plan.append((f"stop Redis {REDIS_DOWN_SECONDS} s", partial(stop_redis, servers)))
    plan.append(("restart PostgreSQL", partial(restart_postgres, servers)))
    chosen = [(name, bring) for name, bring in plan if only.lower() in name.lower()]
    # The rolling restart takes minutes: it runs when asked for (`--only rolling`).
    if only and only.lower() in ROLLING:
        chosen.append((ROLLING, partial(restart_everything, servers.cluster)))
    return chosen


async def faults(plan: list[Fault], start: float, every: float) -> list[dict[str, Any]]:
    """Bring each fault `every` seconds from `start`; note when all was back."""
    done = []
    for n, (name, bring) in enumerate(plan, start=1):
        await asyncio.sleep(max(0.0, start + n * every - time.monotonic()))
        began = time.monotonic()
        await bring()
        done.append({"fault": name, "at": began, "back_after_s": time.monotonic() - began})
    return done


async def run(servers: Servers, token: str, args: argparse.Namespace) -> dict[str, Any]:
    """The load through the balancer, with the faults in its middle."""
    url = servers.cluster.url.replace("http://", "ws://") + "/ws/chat"
    clients = [Client(i, i < args.active) for i in range(args.connections)]
    started = time.monotonic()
    plan = fault_plan(servers, args.only)
    rolling = any(name == ROLLING for name, _ in plan)
    stop_at = started + args.fault_every * (len(plan) + 1) + rolling * ROLLING_SECONDS
    holders = [
        asyncio.create_task(hold(client, url, token, stop_at, reconnect=True)) for client in clients
    ]
    killed = await faults(plan, started, args.fault_every)
    await asyncio.gather(*holders)
    return {"clients": clients, "seconds": stop_at - started, "faults": killed, "started": started}


def costs(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Each fault's cost: what failed or was slow from its kill to the next one."""
    clients: list[Client] = result["clients"]
    faults_run = result["faults"]
    first = faults_run[0]["at"]
    before = [ms for c in clients for at, ms in c.answered_at if at < first]
    slow_ms = SLOW_FACTOR * percentiles(before)["p95_ms"] if len(before) > 1 else float("inf")
    ends = [f["at"] for f in faults_run[1:]] + [float("inf")]
    figures = []
    for fault, end in zip(faults_run, ends, strict=True):
        start = fault["at"]
        failed = [at for c in clients for at in c.failed_at if start <= at < end]
        timed_out = [at for c in clients for at in c.timed_out_at if start <= at < end]
        slow = [
            at for c in clients for at, ms in c.answered_at if start <= at < end and ms > slow_ms
        ]
        answered = [ms for c in clients for at, ms in c.answered_at if start <= at < end]
        dropped = [(at, kind) for c in clients for at, kind in c.drops_at if start <= at < end]
        drops = Counter(kind for _, kind in dropped)
        figures.append(
            {
                "fault": fault["fault"],
                "back_after_s": round(fault["back_after_s"], 1),
                "turns_refused": len(failed),
                "turns_unanswered_120_s": len(timed_out),
                "turns_slow": len(slow),
                "turns_answered": len(answered),
                "sockets_lost_or_refused": dict(drops),
                "degraded_s": round(
                    max([*failed, *timed_out, *slow, *(at for at, _ in dropped)], default=start)
                    - start,
                    1,
                ),
                "p50_ms_after": round(statistics.median(answered)) if answered else None,
            }
        )
    return figures


def main() -> None:
    """Run the load with its faults against a fresh cluster and publish the figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument("--active", type=int, default=20)
    parser.add_argument("--fault-every", type=float, default=90)
    parser.add_argument("--only", default="", help="only the faults whose name has this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, ExitStack() as running:
        scratch = Path(folder)
        # Runs once the cluster has stopped, before its scratch folder goes.
        running.callback(keep_log, scratch / "cluster.log", "cluster_faults")
        servers = running.enter_context(fault_servers(scratch))
        cluster = servers.cluster
        login = {"username": "demo", "password": "Demo@2026!"}
        token = httpx.post(f"{cluster.url}/api/v1/auth/token", json=login).json()["access_token"]
        asyncio.run(http_conversation(cluster.url, token, len(TURNS)))  # warm-up
        result = asyncio.run(run(servers, token, args))
        clients: list[Client] = result["clients"]
        figures = {
            "connections": args.connections,
            "active": args.active,
            "fault_every_seconds": args.fault_every,
            "slow_factor": SLOW_FACTOR,
            **summary(result),
            "reconnects": sum(c.reconnects for c in clients),
            "history_missing_on_reconnect": sum(c.history_missing for c in clients),
            "faults": costs(result),
            "store_check": check_store(clients, cluster.env["DATABASE_URL"]),
        }
    publish("cluster_faults", figures)
    broken = (
        figures["history_missing_on_reconnect"]
        or figures["turn_timeouts"]
        or any(figures["store_check"][key] for key in ("lost", "duplicated", "unanswered"))
    )
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
