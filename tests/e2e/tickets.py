"""A left message answered by an agent: the stack's quickest way to make a notification."""

from __future__ import annotations

import json

import httpx
from websockets.sync.client import connect

from tests.e2e.conftest import Stack


def leave_a_message_answered_by_an_agent(stack: Stack, demo_token: str, text: str) -> None:
    """The demo user leaves a message over the widget socket; an agent marks it done."""
    url = stack.app_url.replace("http://", "ws://") + "/ws/chat"
    with connect(url, open_timeout=30) as socket:
        socket.send(json.dumps({"type": "hello", "token": demo_token}))
        assert json.loads(socket.recv(timeout=30))["type"] == "welcome"
        socket.send(json.dumps({"type": "ticket", "text": text, "contact": "demo"}))
        while (frame := json.loads(socket.recv(timeout=30)))["type"] != "ticket":
            assert frame["type"] != "error", frame
    ticket_id = frame["id"]
    login = {"username": "agent", "password": "Agent@2026!"}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    closed = httpx.post(
        f"{stack.app_url}/api/v1/agent/tickets/{ticket_id}/close", headers=headers, timeout=30
    )
    assert closed.status_code == 200, closed.text
