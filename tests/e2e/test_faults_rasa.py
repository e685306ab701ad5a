"""Rasa or the action server killed mid-conversation: a clear message, nothing lost, back again.

The stack is private to this module, because its Rasa and action server are killed
(SIGKILL). The Procfile runs both under scripts/restarting, which starts a killed one
again while the app keeps its connections; the tests hold that supervisor
(SIGSTOP) for as long as they need the action server to stay down.
"""

from __future__ import annotations

import json
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from bench.full_stack import FullStack, StackFailed, running_stack
from bench.processes import command_line, listening_pid, parent_pid, wait_gone

pytestmark = pytest.mark.e2e

Frame = dict[str, Any]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Questions the knowledge action answers (it calls the app's knowledge search).
QUESTIONS = ["忘记密码怎么办", "红字发票怎么开", "专票和普票有什么区别"]


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FullStack]:
    """A stack of its own: these tests kill its Rasa and its action server."""
    # A fast machine may have Rasa up within the default 30 s "failed start" window.
    extra = {"RESTART_MIN_UPTIME": "5"}
    try:
        with running_stack(tmp_path_factory.mktemp("faults"), extra) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


class Widget:
    """One widget socket, as the browser widget uses it."""

    def __init__(self, socket: ClientConnection, welcome: Frame) -> None:
        self.socket = socket
        self.conversation_id: str = welcome["conversation_id"]

    def next_frame(self, seconds: float = 60) -> Frame:
        """The next frame the app sends."""
        frame: Frame = json.loads(self.socket.recv(timeout=seconds))
        return frame

    def ask(self, text: str, seconds: float = 60) -> Frame:
        """Send a message; the bot's first reply to it, or the error frame."""
        client_id = uuid.uuid4().hex
        self.socket.send(json.dumps({"type": "message", "text": text, "client_id": client_id}))
        echoed, deadline = False, time.monotonic() + seconds
        while True:
            frame = self.next_frame(deadline - time.monotonic())
            message = frame.get("message") or {}
            if frame["type"] == "error" or (echoed and message.get("role") == "bot"):
                return frame
            echoed = echoed or message.get("client_id") == client_id

    def back_to_bot(self) -> None:
        """The user's "继续咨询智能助手" while the conversation waits for a person."""
        self.socket.send(json.dumps({"type": "back_to_bot"}))
        while (frame := self.next_frame()).get("state") != "bot":
            assert frame["type"] != "error", frame


@contextmanager
def widget(stack: FullStack, conversation_id: str | None = None) -> Iterator[Widget]:
    """A widget socket (anonymous), in a new conversation or an existing one."""
    url = stack.app_url.replace("http://", "ws://") + "/ws/chat"
    with connect(url, open_timeout=30) as socket:
        socket.send(json.dumps({"type": "hello", "conversation_id": conversation_id}))
        welcome: Frame = json.loads(socket.recv(timeout=30))
        assert welcome["type"] == "welcome", welcome
        yield Widget(socket, welcome)


def history(stack: FullStack, conversation_id: str) -> list[Frame]:
    """The stored messages a reconnecting widget gets in its welcome frame."""
    url = stack.app_url.replace("http://", "ws://") + "/ws/chat"
    with connect(url, open_timeout=30) as socket:
        socket.send(json.dumps({"type": "hello", "conversation_id": conversation_id}))
        welcome: Frame = json.loads(socket.recv(timeout=30))
    assert welcome["conversation_id"] == conversation_id
    messages: list[Frame] = welcome["messages"]
    return messages


def chat(stack: FullStack, text: str, conversation_id: str | None = None) -> httpx.Response:
    """One turn over POST /api/v1/chat."""
    body = {"message": text, "conversation_id": conversation_id}
    return httpx.post(f"{stack.app_url}/api/v1/chat", json=body, timeout=120)


def kill(stack: FullStack, port_name: str) -> int:
    """SIGKILL the process listening on the stack's port `port_name`; its pid."""
    pid = listening_pid(int(stack.env[port_name]))
    assert pid is not None, f"nothing listens on {port_name}"
    os.kill(pid, signal.SIGKILL)
    assert wait_gone(pid), f"{pid} still runs after SIGKILL"
    return pid


def wait_until_up(stack: FullStack, part: str, seconds: float = 300) -> None:
    """Wait until /healthz reports `part` (rasa, action_server) up again."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if httpx.get(f"{stack.app_url}/healthz", timeout=10).json()[part] == "up":
            return
        time.sleep(1)
    raise AssertionError(f"{part} not back within {seconds} s:\n{stack.log.read_text()[-3000:]}")


def assert_answered(frame: Frame) -> None:
    """A bot message with text."""
    assert frame["type"] == "message", frame
    assert frame["message"]["role"] == "bot" and frame["message"]["text"], frame


def assert_bot_unavailable(error: Frame, conversation_id: str) -> None:
    """The contract's error for a bot that does not answer, in Chinese, naming the conversation."""
    assert error["code"] == "bot_unavailable", error
    assert "消息已保存" in error["message"] and CHINESE.search(error["message"])
    assert error["conversation_id"] == conversation_id


def assert_kept(stored: list[Frame], sent: list[str], before: list[Frame]) -> None:
    """Every user message stored exactly once, in order; nothing stored earlier went missing."""
    assert [m["text"] for m in stored if m["role"] == "user"] == sent
    client_ids = [m["client_id"] for m in stored if m.get("client_id")]
    assert len(client_ids) == len(set(client_ids))
    assert {m["id"] for m in before} <= {m["id"] for m in stored}


def test_with_the_action_server_down_a_question_gets_a_clear_answer_and_later_continues(
    faults: FullStack,
) -> None:
    with widget(faults) as user:
        assert_answered(user.ask(QUESTIONS[0]))
        before = history(faults, user.conversation_id)
        victim = listening_pid(int(faults.env["ACTION_PORT"]))
        assert victim is not None
        supervisor = parent_pid(victim)
        assert "restarting" in command_line(supervisor)
        os.kill(supervisor, signal.SIGSTOP)  # it would start the action server again at once
        try:
            kill(faults, "ACTION_PORT")
            started = time.monotonic()
            assert_bot_unavailable(user.ask(QUESTIONS[1], 30), user.conversation_id)
            assert time.monotonic() - started < 15
            response = chat(faults, QUESTIONS[1])
            assert response.status_code == 503
            error = response.json()["error"]
            assert_bot_unavailable(error, error["conversation_id"])
            assert httpx.get(f"{faults.app_url}/healthz").json()["action_server"] == "down"
        finally:
            os.kill(supervisor, signal.SIGCONT)
        wait_until_up(faults, "action_server", 120)
        user.back_to_bot()
        assert_answered(user.ask(QUESTIONS[2]))
    stored = history(faults, user.conversation_id)
    assert_kept(stored, QUESTIONS, before)
    assert any(m["role"] == "system" and "智能助手暂时无法响应" in m["text"] for m in stored)


def test_with_rasa_killed_messages_are_kept_and_the_conversation_continues_when_it_is_back(
    faults: FullStack,
) -> None:
    first = chat(faults, QUESTIONS[0])
    assert first.status_code == 200
    api_conversation = first.json()["conversation_id"]
    with widget(faults) as user:
        assert_answered(user.ask(QUESTIONS[0]))
        before = history(faults, user.conversation_id)
        killed = kill(faults, "RASA_PORT")
        try:
            assert_bot_unavailable(user.ask(QUESTIONS[1], 30), user.conversation_id)
            response = chat(faults, QUESTIONS[1], api_conversation)
            assert response.status_code == 503
            assert_bot_unavailable(response.json()["error"], api_conversation)
        finally:
            wait_until_up(faults, "rasa")
        assert listening_pid(int(faults.env["RASA_PORT"])) not in (None, killed)
        # The same socket throughout: the app kept the connection while Rasa was away.
        user.back_to_bot()
        assert_answered(user.ask(QUESTIONS[2], 120))
    assert_kept(history(faults, user.conversation_id), QUESTIONS, before)
    api_stored = history(faults, api_conversation)
    assert [m["text"] for m in api_stored if m["role"] == "user"] == QUESTIONS[:2]
