"""Apps with the live side (hub, handoff, sockets) over a local stand-in for Rasa.

The stand-in answers the way the real bot's actions do: "转人工" gets the handoff
payload (naming the intent issue_invoice when the message says "开票"), "不知道"
gets the knowledge action's offer of a human, "忘记密码" gets a knowledge answer
(with its basis and its answer card), "报销过吗" names the invoice the app says the
conversation is about (metadata `last_received_invoice`), "坏掉" gets a 500,
"慢慢" is answered after SLOW_TURN_SECONDS, anything else is echoed. The real Rasa is
driven by the e2e tests.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import redis
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings
from invoicing_core.demo import seed_demo
from knowledge import KnowledgeSettings
from tests.serving import serving

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
AGENT = {"username": "agent", "password": "Agent@2026!"}
USER = {"username": "demo", "password": "Demo@2026!"}
RASA_TOKEN = "live-rasa-token"
SLOW_TURN_SECONDS = 3.0


def rasa_answer(message: str, metadata: dict[str, Any] | None = None) -> Any:
    """What the stand-in bot says to one message."""
    if "转人工" in message:
        handoff = {"reason": "user_request", "last_message": message}
        if "开票" in message:  # as after "开一张发票": the bot names the task's intent
            handoff["intent"] = "issue_invoice"
        return [{"custom": {"text": "好的，正在为您转接人工客服，请稍候。", "handoff": handoff}}]
    if "不知道" in message:
        buttons = [{"title": "转人工客服", "payload": "/human_handoff"}]
        text = "这个问题我暂时没有找到可靠的答案。需要为您转接人工客服吗？"
        return [{"text": text, "buttons": buttons}]
    if "忘记密码" in message:
        basis = "依据：开票系统用户操作指南 1.2 密码管理；更新于2026-12"
        card = {"type": "answer", "entry_id": "account.forgot_password", "question": message}
        text = f"在登录页点击“忘记密码”。\n\n{basis}"
        return [{"custom": {"text": text, "card": {**card, "basis": basis}}}]
    if "报销过吗" in message:
        invoice = (metadata or {}).get("last_received_invoice") or {}
        return [{"text": f"机器人：这张发票是{invoice.get('number') or '？'}"}]
    if "坏掉" in message:
        return JSONResponse({"error": "boom"}, status_code=500)
    return [{"text": f"机器人：{message}"}]


def _stand_in() -> FastAPI:
    app = FastAPI()

    @app.post("/webhooks/app/webhook")
    async def webhook(request: Request) -> Any:
        # As Rasa's app channel (bot/service_auth.py): only the app's secret is heard.
        if request.headers.get("Authorization") != f"Bearer {RASA_TOKEN}":
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        body = await request.json()
        message = str(body.get("message", ""))
        if "慢慢" in message:  # a turn longer than a websocket's keepalive allows
            await asyncio.sleep(SLOW_TURN_SECONDS)
        return rasa_answer(message, body.get("metadata"))

    return app


@pytest.fixture(scope="session")
def rasa_port() -> Iterator[int]:
    """A stand-in for Rasa's app channel on a free port."""
    with serving(_stand_in()) as url:
        yield int(url.rpartition(":")[2])


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The machine's Redis (a test database); skipped where none answers."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"no Redis at {REDIS_URL}")
    return REDIS_URL


AppFactory = Callable[..., TestClient]


def live_app(
    database_url: str,
    rasa_port: int,
    action_port: int,
    knowledge: KnowledgeSettings | None = None,
    **overrides: Any,
) -> FastAPI:
    """An app on the test database answered by the Rasa stand-in (not started)."""
    settings = AppSettings(
        rasa_port=rasa_port,
        action_port=action_port,
        log_json=False,
        actions_token="live-actions-token",
        rasa_token=RASA_TOKEN,
        **overrides,
    )
    return create_app(settings, CoreSettings(database_url=database_url), knowledge)


@pytest.fixture
def make_client(
    database_url: str, engine: Engine, rasa_port: int, free_port: Callable[[], int]
) -> Iterator[AppFactory]:
    """Start apps (workers) on the shared test database; every one is closed afterwards."""
    _clear_handoff_state(engine)
    started: list[TestClient] = []

    def make(knowledge: KnowledgeSettings | None = None, **overrides: Any) -> TestClient:
        app = live_app(database_url, rasa_port, free_port(), knowledge, **overrides)
        client = TestClient(app)
        client.__enter__()
        seed_demo(app.state.invoicing_core.accounts)
        started.append(client)
        return client

    yield make
    for client in reversed(started):
        client.__exit__(None, None, None)


def _clear_handoff_state(engine: Engine) -> None:
    """Each test starts with an empty queue and nobody online (the database is shared)."""
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE conversations SET state = 'closed' WHERE state IN ('waiting', 'agent')")
        )
        connection.execute(text("DELETE FROM agents_online"))
        connection.execute(text("DELETE FROM agent_skills"))


def log_in(client: TestClient, who: dict[str, str]) -> str:
    """A bearer token for a demo account."""
    response = client.post("/api/v1/auth/token", json=who)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def wait_for(predicate: Callable[[], Any], seconds: float = 5.0) -> Any:
    """Poll until `predicate` returns something truthy, and return it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError("condition not met in time")


def is_up(url: str) -> bool:
    """Whether an HTTP server answers."""
    try:
        httpx.get(url, timeout=1)
    except httpx.HTTPError:
        return False
    return True
