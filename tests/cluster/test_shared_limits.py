"""What must hold across app workers: rate limits, an agent's limit of conversations held,
and a message's idempotency key."""

from __future__ import annotations

import secrets
import subprocess
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.cluster_stack import Cluster
from bench.stack import ROOT
from tests.cluster.conftest import AGENT, LOGINS_PER_MINUTE, token, websocket
from tests.integration.channels.frames import hello, say, until

pytestmark = pytest.mark.cluster
# HANDOFF_AGENT_LIMIT's default: conversations one agent holds at most.
AGENT_LIMIT = 5


def test_the_login_limit_counts_requests_on_both_workers(cluster: Cluster) -> None:
    # One client address (believed from the balancer's address, FORWARDED_ALLOW_IPS).
    address = {"X-Forwarded-For": f"198.51.100.{secrets.randbelow(250) + 1}"}
    codes = [
        httpx.post(
            f"{cluster.workers[n % 2]}/api/v1/auth/token", json=AGENT, headers=address, timeout=30
        ).status_code
        for n in range(LOGINS_PER_MINUTE + 1)
    ]
    assert codes == [200] * LOGINS_PER_MINUTE + [429]


def test_a_message_resent_to_the_other_worker_is_answered_once(cluster: Cluster) -> None:
    with (
        websocket(cluster.workers[0], "/ws/chat") as first,
        websocket(cluster.workers[1], "/ws/chat") as second,
    ):
        conversation_id = hello(first)["conversation_id"]
        hello(second, conversation_id=conversation_id)
        # The widget resends a message it saw no answer to, under the same client id.
        with ThreadPoolExecutor(2) as pool:
            for ws in (first, second):
                pool.submit(say, ws, "专票和普票有什么区别", "resent-1")
        for ws in (first, second):
            until(ws, lambda f: f["type"] == "message" and f["message"]["role"] == "bot")

    with websocket(cluster.workers[1], "/ws/chat") as ws:
        history = hello(ws, conversation_id=conversation_id)["messages"]
    said = [m["text"] for m in history if m["role"] == "user"]
    assert said == ["专票和普票有什么区别"]
    answers = [m["text"] for m in history if m["role"] == "bot"]
    assert answers and len(answers) == len(set(answers))  # answered once, not twice


def test_claims_through_both_workers_at_once_stop_at_the_agents_limit(cluster: Cluster) -> None:
    who = {"username": f"agent-{secrets.token_hex(3)}", "password": "Limits@2026!"}
    create = ["create-user", "--role", "agent", "--username", who["username"]]
    subprocess.run(
        [ROOT / ".venv/bin/python", "-m", "invoicing_core", *create],
        input=who["password"] + "\n",
        env=cluster.env,
        check=True,
        capture_output=True,
        text=True,
    )
    headers = {"Authorization": f"Bearer {token(cluster.url, who)}"}
    waiting = []
    for n in range(AGENT_LIMIT + 3):  # no agent is online: each waits in the queue
        turn = httpx.post(
            f"{cluster.workers[n % 2]}/api/v1/chat", json={"message": "转人工"}, timeout=60
        ).json()
        assert turn["state"] == "waiting", turn
        waiting.append(turn["conversation_id"])

    def claim(n: int) -> httpx.Response:
        url = f"{cluster.workers[n % 2]}/api/v1/agent/conversations/{waiting[n]}/claim"
        return httpx.post(url, headers=headers, timeout=30)

    with ThreadPoolExecutor(len(waiting)) as pool:
        answers = list(pool.map(claim, range(len(waiting))))

    refused = [a.json()["error"]["code"] for a in answers if a.status_code == 409]
    assert [a.status_code for a in answers].count(200) == AGENT_LIMIT
    assert refused == ["agent_limit_reached"] * 3
    for worker in cluster.workers:
        held = httpx.get(f"{worker}/api/v1/agent/conversations", headers=headers, timeout=30)
        assert len(held.json()["items"]) == AGENT_LIMIT
