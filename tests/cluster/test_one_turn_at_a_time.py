"""A conversation's messages sent at once through both app workers, and straight to both
Rasa replicas: answered one turn at a time, nothing lost, nothing answered twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from itertools import pairwise
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import psycopg
import pytest

from bench.cluster_stack import Cluster
from tests.cluster.conftest import websocket
from tests.integration.channels.frames import hello

pytestmark = pytest.mark.cluster

QUESTIONS = (
    "忘记密码怎么办",
    "专票和普票有什么区别",
    "发票怎么红冲",
    "税率13%适用哪些",
    "打印机打不出来",
    "谢谢",
)


def _at_once(calls: list[Any]) -> list[Any]:
    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(lambda call: call(), calls))


def test_messages_through_both_workers_at_once_are_answered_in_turn(cluster: Cluster) -> None:
    opened = httpx.post(f"{cluster.url}/api/v1/chat", json={"message": "你好"}, timeout=60)
    conversation_id = opened.json()["conversation_id"]

    def send(worker: str, text: str) -> Any:
        return lambda: httpx.post(
            f"{worker}/api/v1/chat",
            json={"conversation_id": conversation_id, "message": text},
            timeout=120,
        )

    calls = [send(cluster.workers[n % 2], text) for n, text in enumerate(QUESTIONS)]
    responses = _at_once(calls)
    assert [r.status_code for r in responses] == [200] * len(QUESTIONS)

    with websocket(cluster.workers[0], "/ws/chat") as ws:
        history = hello(ws, conversation_id=conversation_id)["messages"]
    said = [m["text"] for m in history if m["role"] == "user"]
    assert sorted(said) == sorted(["你好", *QUESTIONS])  # each once: none lost, none twice
    roles = [m["role"] for m in history]
    # One turn at a time: a user message is followed by its answers before the next one.
    assert ("user", "user") not in set(pairwise(roles))
    for text, response in zip(QUESTIONS, responses, strict=True):
        at = next(n for n, m in enumerate(history) if m["role"] == "user" and m["text"] == text)
        answers = [m["text"] for m in history[at + 1 :]][: len(response.json()["messages"])]
        assert answers == [m["text"] for m in response.json()["messages"]]


def test_two_rasa_replicas_take_one_conversation_one_message_at_a_time(cluster: Cluster) -> None:
    """Rasa's Redis lock store at work: the app's secret, straight to both replicas."""
    secret = (Path(cluster.env["VAR_DIR"]) / "rasa-token").read_text().strip()
    sender = f"lockstore-{uuid4().hex}"
    replicas = [f"http://{cluster.env[name]}" for name in ("RASA_1_ADDR", "RASA_2_ADDR")]

    def say(replica: str, text: str) -> Any:
        return lambda: httpx.post(
            f"{replica}/webhooks/app/webhook",
            json={"sender": sender, "message": text, "metadata": {"channel": "widget"}},
            headers={"Authorization": f"Bearer {secret}"},
            timeout=120,
        )

    responses = _at_once([say(replicas[n % 2], text) for n, text in enumerate(QUESTIONS)])
    assert all(r.status_code == 200 and r.json() for r in responses)

    tracker_url = cluster.env["RASA_TRACKER_URL"]
    with psycopg.connect(tracker_url) as connection:
        rows = connection.execute(
            "SELECT type_name, action_name FROM events WHERE sender_id = %s ORDER BY id", (sender,)
        ).fetchall()
    users = [n for n, (kind, _) in enumerate(rows) if kind == "user"]
    assert len(users) == len(QUESTIONS)
    # Between two user messages the bot finished the first: it went back to listening.
    for start, end in pairwise(users):
        assert ("action", "action_listen") in rows[start + 1 : end]
