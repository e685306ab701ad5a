"""What must hold across app workers: rate limits and a message's idempotency key."""

from __future__ import annotations

import secrets
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from bench.cluster_stack import Cluster
from tests.cluster.conftest import AGENT, LOGINS_PER_MINUTE, websocket
from tests.integration.channels.frames import hello, say, until

pytestmark = pytest.mark.cluster


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
