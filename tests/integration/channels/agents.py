"""Agents in tests: logging in, opening a console socket, a second agent for transfers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from invoicing_core import Role
from tests.integration.channels.conftest import AGENT, bearer, log_in
from tests.integration.channels.frames import of_type, until

SECOND_AGENT = {"username": "agent2", "password": "Agent2@2026!"}


def agent_headers(client: TestClient, who: dict[str, str] = AGENT) -> dict[str, str]:
    """The Authorization header of a logged-in agent."""
    return bearer(log_in(client, who))


def add_second_agent(client: TestClient) -> None:
    """小李, a second agent (created once)."""
    accounts = client.app.state.invoicing_core.accounts  # type: ignore[attr-defined]
    if not accounts.user_exists(SECOND_AGENT["username"]):
        accounts.create_user(
            username=SECOND_AGENT["username"],
            password=SECOND_AGENT["password"],
            role=Role.AGENT,
            company_id=None,
            display_name="小李",
        )


@contextmanager
def console(client: TestClient, headers: dict[str, str]) -> Iterator[WebSocketTestSession]:
    """An open console socket: the agent is online while it is open."""
    token = headers["Authorization"].removeprefix("Bearer ")
    with client.websocket_connect("/ws/agent") as ws:
        ws.send_json({"type": "hello", "token": token})
        until(ws, of_type("welcome"))
        yield ws
