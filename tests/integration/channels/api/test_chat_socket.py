"""The widget's websocket: history, resends stored once, Chinese errors for bad frames."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from websockets.sync.client import connect

from channels.conversations.store import ConversationStore
from tests.integration.channels.conftest import (
    SLOW_TURN_SECONDS,
    USER,
    AppFactory,
    live_app,
    log_in,
)
from tests.integration.channels.frames import hello, message_with, of_type, say, until
from tests.serving import serving


def test_a_message_gets_the_bots_answer_with_typing_around_it(make_client: AppFactory) -> None:
    client: TestClient = make_client()
    with client.websocket_connect("/ws/chat") as ws:
        welcome = hello(ws)
        assert welcome["state"] == "bot" and welcome["messages"] == []
        say(ws, "你好", "c-1")
        echoed = until(ws, message_with("你好"))
        assert echoed["message"]["client_id"] == "c-1"
        assert until(ws, of_type("typing")) == {
            "type": "typing",
            "conversation_id": welcome["conversation_id"],
            "role": "bot",
            "on": True,
        }
        assert until(ws, message_with("机器人：你好"))["message"]["role"] == "bot"


def test_a_reconnect_shows_the_history_and_a_resend_is_stored_once(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    with client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "第一条", "same-id")
        until(ws, message_with("机器人：第一条"))

    with client.websocket_connect("/ws/chat") as ws:
        welcome = hello(ws, conversation_id=conversation_id)
        assert [m["text"] for m in welcome["messages"]] == ["第一条", "机器人：第一条"]
        say(ws, "第一条", "same-id")  # the client never saw its ack, so it sends again
        assert until(ws, of_type("ack")) == {
            "type": "ack",
            "client_id": "same-id",
            "duplicate": True,
        }
    texts = [m.text for m in ConversationStore(engine).history(conversation_id)]
    assert texts == ["第一条", "机器人：第一条"]


def test_a_message_kept_while_the_bot_was_down_is_answered_on_resend(
    make_client: AppFactory, engine: Engine
) -> None:
    store = ConversationStore(engine)
    conversation = store.open(None, "widget")
    store.receive_once(conversation.id, "重启前发的", "kept")  # stored, never answered
    client = make_client(handoff_auto_assign=False)
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws, conversation_id=conversation.id)
        say(ws, "重启前发的", "kept")
        until(ws, message_with("机器人：重启前发的"))
    texts = [m.text for m in store.history(conversation.id)]
    assert texts == ["重启前发的", "机器人：重启前发的"]


def test_a_message_the_busy_database_refused_is_sent_again_and_stored_once(
    make_client: AppFactory, engine: Engine, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's write lock")
    client = make_client()
    store = ConversationStore(engine)
    with client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        holder = sqlite3.connect(make_url(database_url).database or "", isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            say(ws, "锁库时发的", "busy")
            refused = until(ws, of_type("error"))
        finally:
            holder.rollback()
            holder.close()
        assert refused["code"] == "database_unavailable"
        assert refused["client_id"] == "busy" and refused["retry_after"] > 0
        assert store.history(conversation_id) == []
        say(ws, "锁库时发的", "busy")  # as the widget does after retry_after
        until(ws, message_with("机器人：锁库时发的"))
    texts = [m.text for m in store.history(conversation_id)]
    assert texts == ["锁库时发的", "机器人：锁库时发的"]


def test_bad_frames_get_chinese_errors_and_the_socket_stays_open(make_client: AppFactory) -> None:
    client = make_client()
    with client.websocket_connect("/ws/chat") as ws:
        hello(ws)
        for bad, code in [
            ("not json", "invalid_frame"),
            ("[1, 2]", "invalid_frame"),
            ('{"type": "launch"}', "unknown_type"),
            ('{"type": "message", "text": "  "}', "invalid_input"),
            ('{"type": "message", "text": "' + "长" * 2001 + '"}', "invalid_input"),
            ('{"type": "message", "text": "hi", "client_id": 5}', "invalid_input"),
            ('{"type": "rating", "score": 9}', "invalid_input"),
            ("x" * 20_000, "frame_too_large"),
        ]:
            ws.send_text(bad)
            error = until(ws, of_type("error"))
            assert error["code"] == code
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
        ws.send_bytes(b"\x00\x01")
        assert until(ws, of_type("error"))["code"] == "invalid_frame"
        ws.send_json({"type": "ping"})
        assert until(ws, of_type("pong")) == {"type": "pong"}


def test_a_user_cannot_open_another_users_conversation(
    make_client: AppFactory, engine: Engine
) -> None:
    other = ConversationStore(engine).open(None, "widget", "admin")
    ConversationStore(engine).receive(other.id, "管理员的秘密")
    client = make_client()
    token = log_in(client, USER)
    with client.websocket_connect(f"/ws/chat?token={token}") as ws:
        ws.send_json({"type": "hello", "conversation_id": other.id})
        error = until(ws, of_type("error"))
        assert error["code"] == "conversation_not_found"
        welcome = until(ws, of_type("welcome"))
        assert welcome["conversation_id"] != other.id
        assert welcome["messages"] == []
        assert welcome["user"] is not None


def test_a_socket_without_hello_is_closed(make_client: AppFactory) -> None:
    client = make_client()
    with client.websocket_connect("/ws/chat") as ws:
        ws.send_json({"type": "message", "text": "你好"})
        closed = ws.receive()
        assert closed["type"] == "websocket.close"


def test_a_socket_stays_open_through_a_turn_longer_than_the_keepalive_allows(
    database_url: str, engine: Engine, rasa_port: int, free_port: Callable[[], int]
) -> None:
    # A real server: uvicorn pings each socket and closes one whose pong it has not
    # read within the timeout. The app must keep reading while a turn runs.
    app = live_app(database_url, rasa_port, free_port())
    keepalive = {"ws_ping_interval": 0.3, "ws_ping_timeout": 0.3}
    with serving(app, **keepalive) as url, connect(url.replace("http", "ws") + "/ws/chat") as ws:
        ws.send(json.dumps({"type": "hello"}))
        assert json.loads(ws.recv(timeout=10))["type"] == "welcome"
        ws.send(json.dumps({"type": "message", "text": "慢慢说", "client_id": "slow-1"}))
        ws.send(json.dumps({"type": "ping"}))  # a frame that arrives while the turn runs

        answers: list[str] = []
        while not answers:
            frame = json.loads(ws.recv(timeout=SLOW_TURN_SECONDS + 10))
            if frame["type"] == "message" and frame["message"]["role"] == "bot":
                answers.append(frame["message"]["text"])
        # Ten keepalive timeouts went by while the bot answered.
        assert answers == ["机器人：慢慢说"]
        ws.send(json.dumps({"type": "ping"}))
        while json.loads(ws.recv(timeout=5))["type"] != "pong":
            pass  # the socket is still open and answering
