"""The rolling restart of an upgrade under load: bench.cluster_faults --only rolling, asserted.

A cluster of its own (bench.cluster_faults.fault_servers) takes widgets that reconnect
and resend as the real one does, while scripts/cluster.py restarts both app workers,
both action servers and both Rasa replicas one at a time behind HAProxy. Every process
is a new one after, and nothing a user sent is lost, stored twice or left unanswered.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
from collections.abc import Iterator

import httpx
import pytest

from bench.cluster_faults import ROLLING, Servers, costs, fault_servers, run
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
        with fault_servers(tmp_path_factory.mktemp("rolling-var")) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


def test_a_rolling_restart_under_load_loses_nothing_and_answers_nothing_twice(
    servers: Servers,
) -> None:
    cluster = servers.cluster
    assert httpx.get(f"{cluster.url}/healthz", timeout=30).status_code == 200
    before = cluster.pids()
    args = argparse.Namespace(connections=8, active=4, fault_every=20, only="rolling")
    result = asyncio.run(run(servers, token(cluster.url, DEMO), args))

    (rolling,) = result["faults"]
    assert rolling["fault"] == ROLLING
    after = cluster.pids()
    restarted = [setting for setting in before if before[setting] != after[setting]]
    assert sorted(restarted) == sorted(set(before) - {"CLUSTER_PORT"})  # all but HAProxy
    clients = result["clients"]
    (cost,) = costs(result)
    print(cost)  # pytest shows it when the test fails
    stored = check_store(clients, cluster.env["DATABASE_URL"])
    assert (stored["lost"], stored["duplicated"], stored["unanswered"]) == (0, 0, 0), stored
    assert sum(c.history_missing for c in clients) == 0
    assert sum(c.reconnects for c in clients) > 0  # the stopped workers' widgets came back
    assert cost["turns_answered"] > 0, cost  # the bot went on answering throughout
    # The widgets were still asking when the last process was back: the load lasts
    # ROLLING_SECONDS past the restart's start (a worker rebuilding a stale knowledge
    # index, or a machine far busier than 2 cores at a load of 17, may take longer).
    assert rolling["at"] + rolling["back_after_s"] < result["started"] + result["seconds"]
