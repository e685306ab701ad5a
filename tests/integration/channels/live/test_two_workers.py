"""A widget on one app worker and the agent's console on another, joined by Redis."""

from __future__ import annotations

from tests.integration.channels.agents import agent_headers, console
from tests.integration.channels.conftest import AppFactory
from tests.integration.channels.frames import hello, message_with, say, until


def test_widget_and_console_on_different_workers_talk_through_redis(
    make_client: AppFactory, redis_url: str
) -> None:
    widget_worker = make_client(redis_url=redis_url)
    console_worker = make_client(redis_url=redis_url)
    headers = agent_headers(console_worker)
    with (
        console(console_worker, headers) as agent_ws,
        widget_worker.websocket_connect("/ws/chat") as ws,
    ):
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "转人工", "w-1")
        until(ws, message_with("人工客服 小王 已接入"))
        say(ws, "我在一号进程", "w-2")
        assert until(agent_ws, message_with("我在一号进程"))["conversation_id"] == conversation_id

        console_worker.post(
            f"/api/v1/agent/conversations/{conversation_id}/messages",
            json={"text": "我在二号进程"},
            headers=headers,
        )
        assert until(ws, message_with("我在二号进程"))["message"]["author"] == "小王"
        agent_ws.send_json({"type": "typing", "conversation_id": conversation_id, "on": True})
        typing = until(ws, lambda f: f["type"] == "typing" and f["role"] == "agent")
        assert typing["on"] is True
