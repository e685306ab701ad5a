"""Faults under load: what bench.cluster_faults measures, with a small load, asserted.

A cluster of its own runs on a Redis and a PostgreSQL of its own (they are stopped and
restarted). Widgets that reconnect and resend as the real one does keep asking while
app worker 1, Rasa replica 1 and action server 1 are killed in turn, Redis is stopped
for 30 s and PostgreSQL is restarted. Nothing a user sent may be lost, stored twice or
left unanswered, and every reconnected widget gets its history.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
from collections.abc import Iterator

import httpx
import pytest

from bench.cluster_faults import Servers, costs, fault_plan, fault_servers, run
from bench.full_stack import StackFailed
from bench.scale import check_store
from tests.cluster.conftest import token

pytestmark = pytest.mark.cluster
DEMO = {"username": "demo", "password": "Demo@2026!"}


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    if shutil.which("haproxy") is None:
        pytest.skip("no HAProxy installed: `apt-get install haproxy` (.ci/run does this)")
    try:
        with fault_servers(tmp_path_factory.mktemp("faults-var")) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


def test_killed_processes_a_stopped_redis_and_a_restarted_database_lose_nothing(
    servers: Servers,
) -> None:
    url = servers.cluster.url
    assert httpx.get(f"{url}/healthz", timeout=30).status_code == 200
    args = argparse.Namespace(connections=10, active=5, fault_every=35, only="")
    result = asyncio.run(run(servers, token(url, DEMO), args))

    assert [f["fault"] for f in result["faults"]] == [name for name, _ in fault_plan(servers)]
    clients = result["clients"]
    for fault in costs(result):
        print(fault)  # pytest shows it when the test fails
    stored = check_store(clients, servers.cluster.env["DATABASE_URL"])
    assert (stored["lost"], stored["duplicated"], stored["unanswered"]) == (0, 0, 0), stored
    # Questions that waited 120 s (answered since, per the store check) are measured by
    # bench.cluster_faults, not asserted here: two did once, with the session's other
    # cluster running beside this one.
    assert sum(c.history_missing for c in clients) == 0
    assert sum(c.reconnects for c in clients) > 0  # the widgets on the killed worker came back
    for fault in costs(result):
        assert fault["turns_answered"] > 0, fault  # the bot went on answering
