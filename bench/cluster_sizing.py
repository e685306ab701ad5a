"""What one turn costs each part of the cluster, and what N users would need.

Starts the topology of `make cluster` (bench/cluster_stack.py) and runs `--conversations`
conversations of `--turns` turns at once through HAProxy (POST /api/v1/chat, the four
messages of bench/conversation.py in turn). Around the run it reads the CPU time and
resident memory of every process (/proc), PostgreSQL's counters of the app's and the
tracker store's databases (pg_stat_database) and Redis's command count (INFO), and
prints per turn: CPU milliseconds of each kind of process, transactions and rows written
and read in each database, Redis commands. From these it sizes, at one turn per user
every USER_TURN_SECONDS and TARGET_UTILISATION of a core, the cores, processes, memory
and database transactions for 1,000, 10,000 and 100,000 concurrent users.

Then it runs the same load with Rasa replica 2 paused, for the throughput one replica
gives against two.

    .venv/bin/python -m bench.cluster_sizing [--conversations 4] [--turns 40]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import signal
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis

from bench.cluster_stack import PROCESSES, SERVER_URL, Cluster, running_cluster
from bench.conversation import TURNS, UNLIMITED, http_conversation
from bench.processes import cpu, rss_mb
from bench.report import publish

USER_TURN_SECONDS = 20
TARGET_UTILISATION = 0.6
USERS = (1_000, 10_000, 100_000)
# HAProxy checks every 3 s and takes a server out after 2 failures (deploy/haproxy.cfg).
BALANCER_NOTICES_SECONDS = 12
PG_COUNTERS = ("xact_commit", "tup_inserted", "tup_updated", "tup_deleted", "tup_fetched")


def database_counters(cluster: Cluster) -> dict[str, dict[str, int]]:
    """pg_stat_database's counters of the app's and the tracker store's databases."""
    names = {
        "app": cluster.env["DATABASE_URL"].rpartition("/")[2],
        "tracker": cluster.env["RASA_TRACKER_URL"].rpartition("/")[2],
    }
    counters = {}
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute("SELECT pg_stat_clear_snapshot()")
        for label, name in names.items():
            row = connection.execute(
                f"SELECT {', '.join(PG_COUNTERS)} FROM pg_stat_database WHERE datname = %s",  # noqa: S608 - fixed column names
                (name,),
            ).fetchone()
            assert row is not None, name
            counters[label] = dict(zip(PG_COUNTERS, row, strict=True))
    return counters


def redis_commands(cluster: Cluster) -> int:
    """Commands the Redis server has processed so far (every database)."""
    info = redis.Redis.from_url(cluster.env["REDIS_URL"]).info("stats")
    return int(info["total_commands_processed"])


def snapshot(cluster: Cluster, measured: dict[str, int]) -> dict[str, Any]:
    """Every counter at one moment (PostgreSQL's after its statistics are flushed)."""
    time.sleep(1.5)  # backends report their statistics at most once a second
    return {
        "cpu": cpu(measured),
        "database": database_counters(cluster),
        "redis": redis_commands(cluster),
    }


def per_turn(before: dict[str, Any], after: dict[str, Any], turns: int) -> dict[str, Any]:
    """The counters' growth over the run, per turn."""
    cpu_ms: dict[str, float] = {}
    for setting, kind in PROCESSES.items():
        used = after["cpu"][setting] - before["cpu"][setting]
        cpu_ms[kind] = cpu_ms.get(kind, 0.0) + used * 1000 / turns
    database = {
        label: {
            name: round((after["database"][label][name] - counts[name]) / turns, 1)
            for name in PG_COUNTERS
        }
        for label, counts in before["database"].items()
    }
    return {
        "cpu_ms": {kind: round(ms, 1) for kind, ms in cpu_ms.items()},
        "database": database,
        # The server's every database: the lock store, live events and rate limits.
        "redis_commands": round((after["redis"] - before["redis"]) / turns, 1),
    }


def sizing(turn: dict[str, Any], memory: dict[str, float]) -> list[dict[str, Any]]:
    """Cores, processes, memory and database transactions for each number of users."""
    rows = []
    for users in USERS:
        turns_per_second = users / USER_TURN_SECONDS
        row: dict[str, Any] = {"users": users, "turns_per_second": turns_per_second}
        for kind in ("app", "rasa", "actions"):
            cores = turns_per_second * turn["cpu_ms"][kind] / 1000 / TARGET_UTILISATION
            processes = max(2, math.ceil(cores))  # one core each, two at least for failover
            row[kind] = {
                "cores": round(cores, 1),
                "processes": processes,
                "memory_gb": round(processes * memory[kind] / 1024, 1),
            }
        row["database_transactions_per_second"] = {
            label: round(turns_per_second * counts["xact_commit"])
            for label, counts in turn["database"].items()
        }
        row["redis_commands_per_second"] = round(turns_per_second * turn["redis_commands"])
        rows.append(row)
    return rows


@contextmanager
def one_rasa_replica(cluster: Cluster) -> Iterator[None]:
    """Rasa replica 2 paused (SIGSTOP) until HAProxy has taken it out, then resumed."""
    pid = cluster.pids()["RASA_2_ADDR"]
    os.kill(pid, signal.SIGSTOP)
    try:
        time.sleep(BALANCER_NOTICES_SECONDS)
        yield
    finally:
        os.kill(pid, signal.SIGCONT)
        time.sleep(BALANCER_NOTICES_SECONDS)


async def load(url: str, token: str, conversations: int, turns: int) -> float:
    """`conversations` conversations of `turns` turns at once; the seconds they took."""
    started = time.perf_counter()
    await asyncio.gather(*(http_conversation(url, token, turns) for _ in range(conversations)))
    return time.perf_counter() - started


def main() -> None:
    """Measure a turn's cost on a fresh cluster and publish it with the sizing."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=4)
    parser.add_argument("--turns", type=int, default=40)
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as scratch,
        running_cluster(Path(scratch), UNLIMITED) as cluster,
    ):
        login = {"username": "demo", "password": "Demo@2026!"}
        token = httpx.post(f"{cluster.url}/api/v1/auth/token", json=login).json()["access_token"]
        asyncio.run(http_conversation(cluster.url, token, len(TURNS)))  # warm-up
        measured = cluster.pids()
        before = snapshot(cluster, measured)
        seconds = asyncio.run(load(cluster.url, token, args.conversations, args.turns))
        after = snapshot(cluster, measured)
        memory: dict[str, float] = {}
        for setting, kind in PROCESSES.items():
            memory[kind] = max(memory.get(kind, 0.0), rss_mb(measured[setting]))
        with one_rasa_replica(cluster):
            one_replica = asyncio.run(load(cluster.url, token, args.conversations, args.turns))
    turns = args.conversations * args.turns
    turn = per_turn(before, after, turns)
    publish(
        "cluster_sizing",
        {
            "conversations": args.conversations,
            "turns": turns,
            "turns_per_second": round(turns / seconds, 2),
            # The same load again with Rasa replica 2 paused: what the second replica adds.
            "turns_per_second_one_rasa_replica": round(turns / one_replica, 2),
            "per_turn": turn,
            "rss_mb_per_process": memory,
            "user_turn_seconds": USER_TURN_SECONDS,
            "target_utilisation": TARGET_UTILISATION,
            "sizing": sizing(turn, memory),
        },
    )


if __name__ == "__main__":
    main()
