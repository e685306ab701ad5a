"""A customer and an agent on different app workers of the running cluster."""

from __future__ import annotations

import httpx
import pytest

from bench.cluster_stack import Cluster
from tests.cluster.conftest import AGENT, token, websocket
from tests.integration.channels.frames import hello, message_with, of_type, say, until

pytestmark = pytest.mark.cluster


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
