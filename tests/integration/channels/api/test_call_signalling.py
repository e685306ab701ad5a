"""Video calls and screen sharing: WebRTC signalling over /ws/chat and /ws/agent.

A call frame goes between the customer's widget and the consoles of the agent holding
the conversation, and nowhere else; its start and end are stored as conversation events.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, update

from channels.handoff.tables import conversation_events
from tests.integration.channels.agents import SECOND_AGENT, add_second_agent, agent_headers, console
from tests.integration.channels.conftest import AppFactory
from tests.integration.channels.frames import Frame, JsonSocket, hello, message_with, say, until

OFFER = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
CANDIDATE = {"candidate": "candidate:1 1 udp 2122260223 192.168.1.5 50000 typ host", "sdpMid": "0"}


def a_call(action: str, media: str = "video") -> Callable[[Frame], bool]:
    """A relayed call frame of this action."""
    return lambda f: f["type"] == "call" and f["action"] == action and f["media"] == media


def call(conversation_id: str | None, action: str, media: str = "video", **rest: Any) -> Frame:
    frame = {"type": "call", "action": action, "media": media, **rest}
    return {**frame, "conversation_id": conversation_id} if conversation_id else frame


def refused(ws: JsonSocket, code: str) -> Frame:
    """The error frame answering a refused call frame."""
    error = until(ws, lambda f: f["type"] == "error")
    assert error["code"] == code, error
    return error


def nothing_relayed_before(ws: JsonSocket, wanted: Callable[[Frame], bool]) -> None:
    """Read up to an event that went the same way after the refused frame: no call came first."""
    frame = until(ws, lambda f: f["type"] == "call" or wanted(f))
    assert frame["type"] != "call", frame


def _held_conversation(ws: JsonSocket) -> str:
    conversation_id: str = hello(ws)["conversation_id"]
    say(ws, "转人工", "c-1")
    until(ws, message_with("人工客服 小王 已接入"))
    return conversation_id


def _events(client: TestClient, headers: dict[str, str], conversation_id: str) -> list[Frame]:
    transcript = client.get(f"/api/v1/agent/conversations/{conversation_id}", headers=headers)
    return [e for e in transcript.json()["events"] if e["kind"].startswith("call_")]


def test_a_call_is_signalled_both_ways_and_its_start_and_length_are_recorded(
    make_client: AppFactory, engine: Engine
) -> None:
    ice = [{"urls": "turn:turn.example.com:3478", "username": "u", "credential": "p"}]
    client = make_client(rtc_ice_servers=ice)
    headers = agent_headers(client)
    with console(client, headers) as agent_ws, client.websocket_connect("/ws/chat") as ws:
        conversation_id = _held_conversation(ws)
        agent_ws.send_json(call(conversation_id, "invite"))
        invite = until(ws, a_call("invite"))
        assert invite["from"] == "agent" and invite["agent_name"] == "小王"
        assert invite["conversation_id"] == conversation_id

        ws.send_json(call(None, "accept"))
        accepted = until(agent_ws, a_call("accept"))
        assert accepted["from"] == "user" and accepted["agent"] == "agent"
        ws.send_json(call(conversation_id, "offer", sdp=OFFER, extra="dropped"))
        offer = until(agent_ws, a_call("offer"))
        assert offer["sdp"] == OFFER and "extra" not in offer
        agent_ws.send_json(call(conversation_id, "answer", sdp=OFFER))
        assert until(ws, a_call("answer"))["sdp"] == OFFER
        agent_ws.send_json(call(conversation_id, "candidate", candidate=CANDIDATE))
        relayed = until(ws, a_call("candidate"))["candidate"]
        assert relayed == {**CANDIDATE, "sdpMLineIndex": None}
        ws.send_json(call(None, "candidate", candidate={"candidate": "", "sdpMid": "0"}))
        assert until(agent_ws, a_call("candidate"))["candidate"]["candidate"] == ""

        # The call started 65 seconds ago, as far as the stored event says.
        with engine.begin() as connection:
            started = conversation_events.c.kind == "call_started"
            mine = conversation_events.c.conversation_id == conversation_id
            stored = connection.execute(conversation_events.select().where(started, mine)).one()
            earlier = stored.created_at - timedelta(seconds=65)
            connection.execute(
                update(conversation_events).where(started, mine).values(created_at=earlier)
            )
        agent_ws.send_json(call(conversation_id, "hangup"))
        until(ws, a_call("hangup"))
        line = until(ws, message_with("视频通话已结束"))["message"]
        assert line["role"] == "system" and line["text"] == "视频通话已结束，时长 1分05秒"
        until(agent_ws, message_with("视频通话已结束，时长 1分05秒"))
        ws.send_json(call(None, "hangup"))  # both hung up: the call ends once
        until(agent_ws, a_call("hangup"))

    events = _events(client, headers, conversation_id)
    assert [(e["kind"], e["actor"]) for e in events] == [
        ("call_started", "agent"),
        ("call_ended", "agent"),
    ]
    assert events[0]["detail"] == {"media": "video"}
    assert events[1]["detail"] == {"media": "video", "duration": 65}


def test_the_welcomes_carry_the_ice_servers(make_client: AppFactory) -> None:
    ice = [{"urls": ["turn:10.0.0.2:3478?transport=udp"], "username": "a", "credential": "b"}]
    client = make_client(rtc_ice_servers=ice)
    with client.websocket_connect("/ws/chat") as ws:
        assert hello(ws)["ice_servers"] == ice
    token = agent_headers(client)["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect("/ws/agent") as agent_ws:
        agent_ws.send_json({"type": "hello", "token": token})
        assert until(agent_ws, lambda f: f["type"] == "welcome")["ice_servers"] == ice
    with make_client().websocket_connect("/ws/chat") as ws:
        assert hello(ws)["ice_servers"] == []


def test_a_customer_asks_for_a_call_and_declining_a_screen_share_is_recorded(
    make_client: AppFactory,
) -> None:
    client = make_client()
    headers = agent_headers(client)
    with console(client, headers) as agent_ws, client.websocket_connect("/ws/chat") as ws:
        conversation_id = _held_conversation(ws)
        ws.send_json(call(conversation_id, "invite"))
        assert until(agent_ws, a_call("invite"))["conversation_id"] == conversation_id
        agent_ws.send_json(call(conversation_id, "decline"))
        until(ws, a_call("decline"))
        until(ws, message_with("视频通话未接通：客服已拒绝"))

        agent_ws.send_json(call(conversation_id, "invite", "screen"))
        until(ws, a_call("invite", "screen"))
        ws.send_json(call(None, "decline", "screen", reason="unsupported"))
        assert until(agent_ws, a_call("decline", "screen"))["reason"] == "unsupported"
        until(agent_ws, message_with("屏幕共享未接通：客户的浏览器不支持屏幕共享"))

    events = _events(client, headers, conversation_id)
    assert [(e["kind"], e["actor"], e["detail"]) for e in events] == [
        ("call_ended", "agent", {"media": "video", "declined": True, "duration": 0}),
        ("call_ended", "user", {"media": "screen", "declined": True, "duration": 0}),
    ]


def test_no_call_with_the_bot_or_the_queue(make_client: AppFactory) -> None:
    client = make_client(handoff_auto_assign=False)
    headers = agent_headers(client)
    with console(client, headers) as agent_ws, client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        ws.send_json(call(None, "invite"))
        assert "人工客服接入后" in refused(ws, "call_not_allowed")["message"]
        agent_ws.send_json(call(conversation_id, "invite"))
        refused(agent_ws, "call_not_allowed")
        say(ws, "转人工", "c-1")
        until(agent_ws, lambda f: f["type"] == "state" and f["state"] == "waiting")
        agent_ws.send_json(call(conversation_id, "invite"))  # waiting, not held yet
        refused(agent_ws, "call_not_allowed")
        ws.send_json(call(None, "invite"))
        refused(ws, "call_not_allowed")
        agent_ws.send_json(call("no-such-conversation", "invite"))
        refused(agent_ws, "call_not_allowed")
        agent_ws.send_json({"type": "call", "action": "invite", "media": "video"})
        refused(agent_ws, "call_not_allowed")
        ws.send_json({"type": "typing", "on": True})
        nothing_relayed_before(agent_ws, lambda f: f["type"] == "typing")


def test_another_agent_neither_sends_nor_hears_a_call(make_client: AppFactory) -> None:
    client = make_client()
    add_second_agent(client)
    headers, other = agent_headers(client), agent_headers(client, SECOND_AGENT)
    with console(client, headers) as agent_ws, client.websocket_connect("/ws/chat") as ws:
        conversation_id = _held_conversation(ws)
        with console(client, other) as other_ws:
            other_ws.send_json(call(conversation_id, "invite"))
            refused(other_ws, "call_not_allowed")
            ws.send_json(call(None, "invite"))
            until(agent_ws, a_call("invite"))
            ws.send_json({"type": "typing", "on": True})
            nothing_relayed_before(other_ws, lambda f: f["type"] == "typing")
            # ... and the customer got nothing from the other agent.
            agent_ws.send_json({"type": "typing", "conversation_id": conversation_id, "on": True})
            nothing_relayed_before(ws, lambda f: f["type"] == "typing" and f["role"] == "agent")


def test_a_customer_cannot_call_into_another_conversation(make_client: AppFactory) -> None:
    client = make_client()
    headers = agent_headers(client)
    with (
        console(client, headers) as agent_ws,
        client.websocket_connect("/ws/chat") as ws,
        client.websocket_connect("/ws/chat") as stranger,
    ):
        conversation_id = _held_conversation(ws)
        hello(stranger)
        stranger.send_json(call(conversation_id, "invite"))
        assert refused(stranger, "call_not_allowed")["message"] == "只能在当前会话中与客服通话。"
        stranger.send_json(call(None, "invite"))  # its own conversation is the bot's
        refused(stranger, "call_not_allowed")
        ws.send_json({"type": "typing", "on": True})
        nothing_relayed_before(agent_ws, lambda f: f["type"] == "typing")


def test_malformed_call_frames_are_refused_and_the_socket_stays_open(
    make_client: AppFactory,
) -> None:
    client = make_client()
    headers = agent_headers(client)
    bad: list[tuple[Frame, str, str]] = [
        ({"action": "dial", "media": "video"}, "call_invalid", "action"),
        ({"action": "invite", "media": "audio"}, "call_invalid", "media"),
        ({"action": "invite"}, "call_invalid", "media"),
        ({"action": "offer", "media": "video"}, "call_invalid", "sdp"),
        ({"action": "answer", "media": "video", "sdp": 42}, "call_invalid", "sdp"),
        ({"action": "offer", "media": "video", "sdp": "x" * 12_001}, "call_too_large", "sdp"),
        (
            {"action": "candidate", "media": "video", "candidate": "text"},
            "call_invalid",
            "candidate",
        ),
        (
            {"action": "candidate", "media": "video", "candidate": {"candidate": "c", "sdpMid": 1}},
            "call_invalid",
            "candidate",
        ),
    ]
    with console(client, headers) as agent_ws, client.websocket_connect("/ws/chat") as ws:
        conversation_id = _held_conversation(ws)
        for fields, code, field in bad:
            ws.send_json({"type": "call", **fields})
            assert refused(ws, code)["field"] == field
            agent_ws.send_json({"type": "call", "conversation_id": conversation_id, **fields})
            assert refused(agent_ws, code)["field"] == field
        ws.send_json({"type": "ping"})
        until(ws, lambda f: f["type"] == "pong")
        ws.send_json({"type": "typing", "on": True})
        nothing_relayed_before(agent_ws, lambda f: f["type"] == "typing")
    assert _events(client, headers, conversation_id) == []


def test_a_call_is_relayed_between_two_app_workers_through_redis(
    make_client: AppFactory, redis_url: str
) -> None:
    widget_worker = make_client(redis_url=redis_url)
    console_worker = make_client(redis_url=redis_url)
    headers = agent_headers(console_worker)
    with (
        console(console_worker, headers) as agent_ws,
        widget_worker.websocket_connect("/ws/chat") as ws,
    ):
        conversation_id = _held_conversation(ws)
        agent_ws.send_json(call(conversation_id, "invite", "screen"))
        assert until(ws, a_call("invite", "screen"))["from"] == "agent"
        ws.send_json(call(None, "accept", "screen"))
        until(agent_ws, a_call("accept", "screen"))
        ws.send_json(call(None, "offer", "screen", sdp=OFFER))
        assert until(agent_ws, a_call("offer", "screen"))["sdp"] == OFFER
        ws.send_json(call(None, "hangup", "screen"))
        until(agent_ws, a_call("hangup", "screen"))
        until(ws, message_with("屏幕共享已结束，时长"))
    kinds = [e["kind"] for e in _events(console_worker, headers, conversation_id)]
    assert kinds == ["call_started", "call_ended"]


def test_a_call_ends_when_the_customers_page_closes(make_client: AppFactory) -> None:
    client = make_client()
    headers = agent_headers(client)
    with console(client, headers) as agent_ws:
        with client.websocket_connect("/ws/chat") as ws:
            conversation_id = _held_conversation(ws)
            agent_ws.send_json(call(conversation_id, "invite"))
            until(ws, a_call("invite"))
            ws.send_json(call(None, "accept"))
            until(agent_ws, a_call("accept"))
        hangup = until(agent_ws, a_call("hangup"))
        assert hangup["from"] == "user" and hangup["conversation_id"] == conversation_id
        until(agent_ws, message_with("视频通话已结束，时长"))
    events = _events(client, headers, conversation_id)
    assert [(e["kind"], e["actor"]) for e in events] == [
        ("call_started", "agent"),
        ("call_ended", "user"),
    ]
