"""The app, Rasa and the action server on three network hosts (namespaces on a bridge):
every hop is made by address, none by the one machine's 127.0.0.1."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import httpx
import pytest

from bench.full_stack import StackFailed
from bench.network_hosts import Host, stack_on_hosts

pytestmark = pytest.mark.cluster
DEMO = {"username": "demo", "password": "Demo@2026!"}


@pytest.fixture(scope="module")
def on_hosts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, Host]]]:
    """The stack on three hosts, for this module."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("network namespaces need root and iproute2")
    try:
        with stack_on_hosts(tmp_path_factory.mktemp("hosts-var")) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


def test_a_turn_crosses_app_rasa_action_server_and_back(
    on_hosts: tuple[str, dict[str, Host]],
) -> None:
    app_url, hosts = on_hosts
    health = httpx.get(f"{app_url}/healthz", timeout=10).json()
    assert health == {
        "status": "ok",
        "app": "up",
        "database": "up",
        "rasa": "up",
        "action_server": "up",
    }
    token = httpx.post(f"{app_url}/api/v1/auth/token", json=DEMO, timeout=30).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    # The action server asks the app for the invoices: app -> Rasa -> actions -> app.
    turn = httpx.post(
        f"{app_url}/api/v1/chat", json={"message": "本月开票情况"}, headers=headers, timeout=60
    )
    assert turn.status_code == 200, turn.text
    [reply, *_] = turn.json()["messages"]
    assert reply["card"]["type"] == "report", reply
    assert len({host.address for host in hosts.values()}) == 3  # three hosts indeed
