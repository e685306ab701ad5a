"""Live across the app workers of the running cluster: a customer and an agent on
different workers, and a knowledge publish."""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from bench.cluster_stack import Cluster
from tests.cluster.conftest import AGENT, token, websocket
from tests.integration.channels.frames import hello, message_with, of_type, say, until

pytestmark = pytest.mark.cluster
EDITOR = {"username": "editor", "password": "Editor@2026!"}


def test_a_widget_on_one_worker_and_the_console_on_the_other_talk_live(cluster: Cluster) -> None:
    widget_worker, console_worker = cluster.workers
    agent = token(console_worker, AGENT)
    headers = {"Authorization": f"Bearer {agent}"}
    with (
        websocket(console_worker, "/ws/agent") as console,
        websocket(widget_worker, "/ws/chat") as ws,
    ):
        console.send_json({"type": "hello", "token": agent})
        until(console, of_type("welcome"))
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "转人工", "c-1")
        until(ws, message_with("已接入"))
        say(ws, "我的消息经过一号进程", "c-2")
        seen = until(console, message_with("我的消息经过一号进程"))
        assert seen["conversation_id"] == conversation_id

        sent = httpx.post(
            f"{console_worker}/api/v1/agent/conversations/{conversation_id}/messages",
            json={"text": "客服的回复经过二号进程"},
            headers=headers,
            timeout=30,
        )
        assert sent.status_code in (200, 201), sent.text
        reply = until(ws, message_with("客服的回复经过二号进程"))
        assert reply["message"]["role"] == "agent"


def test_a_knowledge_publish_on_one_worker_is_searched_on_the_other(cluster: Cluster) -> None:
    publisher, other = cluster.workers
    editor = {"Authorization": f"Bearer {token(publisher, EDITOR)}"}
    entry_id = f"rules.cluster_{secrets.token_hex(3)}"
    question = "集群里发布的新条目：发票上的收款人和复核人一栏必须填写吗"
    entry = {
        "question": question,
        "questions": ["收款人 复核人 要填吗"],
        "answer": "收款人、复核人栏按企业内部管理需要填写，不影响发票效力。",
        "tags": ["收款人", "复核人"],
        "sources": [{"name": "《中华人民共和国发票管理办法实施细则》"}],
        "effective_date": "2024-03-01",
    }
    saved = httpx.put(
        f"{publisher}/api/v1/knowledge/entries/{entry_id}", json=entry, headers=editor, timeout=30
    )
    assert saved.status_code == 200, saved.text
    published = httpx.post(f"{publisher}/api/v1/knowledge/reload", headers=editor, timeout=300)
    assert published.status_code == 200, published.text

    def top_hit() -> str:
        found = httpx.get(
            f"{other}/api/v1/knowledge/search", params={"q": question}, timeout=30
        ).json()
        return str(found["hits"][0]["id"]) if found["hits"] else ""

    deadline = time.monotonic() + 60
    while top_hit() != entry_id and time.monotonic() < deadline:
        time.sleep(0.5)
    assert top_hit() == entry_id
