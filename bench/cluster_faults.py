"""Faults under load on the cluster: a worker, a Rasa replica and an action server killed.

Starts the topology of `make cluster` (bench/cluster_stack.py), holds `--connections`
widget sockets through HAProxy with `--active` of them asking (bench/scale.py's load,
reconnecting as the widget does), and during the load kills, in turn, app worker 1,
Rasa replica 1 and action server 1 (SIGKILL; scripts/restarting starts each again).
Then it checks every active conversation against the store (nothing lost, duplicated
or unanswered) and prints what each fault cost: turns refused (`bot_unavailable`),
turns timed out, reconnections, and the seconds from the kill to the last turn that
failed or took over SLOW_FACTOR times the p95 before the first fault.

    .venv/bin/python -m bench.cluster_faults [--connections 100] [--active 20]
        [--fault-every 90]

Exits with 1 when a message was lost, duplicated or left unanswered, or a reconnected
widget missed its history.
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
from pathlib import Path
from typing import Any

import httpx

from bench.cluster_stack import Cluster, running_cluster
from bench.conversation import TURNS, UNLIMITED, http_conversation
from bench.processes import listening_pid
from bench.report import percentiles, publish
from bench.scale import Client, check_store, hold, summary

# What is killed, in order: the process listening on each of these addresses.
FAULTS = (
    ("app worker", "APP_1_ADDR"),
    ("Rasa replica", "RASA_1_ADDR"),
    ("action server", "ACTIONS_1_ADDR"),
)
SLOW_FACTOR = 3
BACK_TIMEOUT_SECONDS = 180


async def faults(cluster: Cluster, start: float, every: float) -> list[dict[str, Any]]:
    """Kill each process of FAULTS `every` seconds from `start`; note when it was back."""
    done = []
    for n, (name, address) in enumerate(FAULTS, start=1):
        await asyncio.sleep(max(0.0, start + n * every - time.monotonic()))
        port = int(cluster.env[address].rpartition(":")[2])
        pid = listening_pid(port)
        if pid is None:
            raise RuntimeError(f"nothing listens on {address} ({port})")
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        while listening_pid(port) in (None, pid):
            if time.monotonic() - killed > BACK_TIMEOUT_SECONDS:
                raise RuntimeError(f"{name} was not started again")
            await asyncio.sleep(0.5)
        done.append(
            {"fault": f"kill {name} 1", "at": killed, "back_after_s": time.monotonic() - killed}
        )
    return done


async def run(cluster: Cluster, token: str, args: argparse.Namespace) -> dict[str, Any]:
    """The load through the balancer, with the faults in its middle."""
    url = cluster.url.replace("http://", "ws://") + "/ws/chat"
    clients = [Client(i, i < args.active) for i in range(args.connections)]
    started = time.monotonic()
    stop_at = started + args.fault_every * (len(FAULTS) + 1)
    holders = [
        asyncio.create_task(hold(client, url, token, stop_at, reconnect=True)) for client in clients
    ]
    killed = await faults(cluster, started, args.fault_every)
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
        slow = [
            at for c in clients for at, ms in c.answered_at if start <= at < end and ms > slow_ms
        ]
        answered = [ms for c in clients for at, ms in c.answered_at if start <= at < end]
        figures.append(
            {
                "fault": fault["fault"],
                "back_after_s": round(fault["back_after_s"], 1),
                "turns_refused": len(failed),
                "turns_slow": len(slow),
                "turns_answered": len(answered),
                "degraded_s": round(max([*failed, *slow], default=start) - start, 1),
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
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        running_cluster(Path(scratch), UNLIMITED) as cluster,
    ):
        login = {"username": "demo", "password": "Demo@2026!"}
        token = httpx.post(f"{cluster.url}/api/v1/auth/token", json=login).json()["access_token"]
        asyncio.run(http_conversation(cluster.url, token, len(TURNS)))  # warm-up
        result = asyncio.run(run(cluster, token, args))
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
    broken = figures["history_missing_on_reconnect"] or any(
        figures["store_check"][key] for key in ("lost", "duplicated", "unanswered")
    )
    sys.exit(1 if broken else 0)


if __name__ == "__main__":
    main()
