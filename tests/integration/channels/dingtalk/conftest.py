"""The app with the DingTalk robot on, the stand-in Rasa, DingTalk's API a local stand-in.

Callbacks are signed the way DingTalk signs them: base64(HmacSHA256(appSecret,
timestamp + "\\n" + appSecret)) over a millisecond timestamp.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select

from channels.conversations.model import Reply, Role
from channels.conversations.store import ConversationStore
from channels.wechat.tables import wechat_inbound, wechat_users
from tests.dingtalk_api_standin import ApiStandIn, running_standin
from tests.integration.channels.conftest import AppFactory, bearer, log_in

APP_SECRET = "dingtalk-app-secret-of-the-robot"
ROBOT_CODE = "dingrobot123"
_msg_ids = itertools.count(int(time.time() * 1000))


@pytest.fixture(scope="session")
def dingtalk_api() -> Iterator[ApiStandIn]:
    """DingTalk's API servers, as far as the app uses them."""
    with running_standin() as running:
        yield running


@pytest.fixture
def client(make_client: AppFactory, dingtalk_api: ApiStandIn) -> TestClient:
    """The app with the robot configured against the stand-in."""
    dingtalk_api.reset()
    return make_client(
        dingtalk_app_key="dingappkey",
        dingtalk_app_secret=APP_SECRET,
        dingtalk_robot_code=ROBOT_CODE,
        dingtalk_api_base=dingtalk_api.url,
        wechat_api_timeout_seconds=1.0,
        wechat_api_backoff_seconds=0.05,
    )


def new_staff_id() -> str:
    """A DingTalk user nobody has seen yet."""
    return f"staff{secrets.token_hex(6)}"


def signed(age_ms: int = 0, secret: str = APP_SECRET) -> dict[str, str]:
    """The headers DingTalk sends: timestamp (ms) and its sign."""
    timestamp = str(int(time.time() * 1000) - age_ms)
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    return {"timestamp": timestamp, "sign": base64.b64encode(digest.digest()).decode()}


def text_message(
    standin: ApiStandIn,
    staff_id: str,
    text: str,
    msg_id: str | None = None,
    webhook_valid_ms: int = 60 * 60 * 1000,
) -> dict[str, Any]:
    """A text message as DingTalk posts it, with a session webhook at the stand-in."""
    now = int(time.time() * 1000)
    return {
        "msgtype": "text",
        "text": {"content": f" {text}"},
        "msgId": msg_id or f"msg{next(_msg_ids)}",
        "createAt": now,
        "conversationType": "1",
        "conversationId": f"cid{staff_id}",
        "senderId": f"$:LWCP_v1:${staff_id}",
        "senderNick": "测试用户",
        "senderStaffId": staff_id,
        "senderCorpId": "dingcorp",
        "chatbotUserId": "$:LWCP_v1:$bot",
        "robotCode": ROBOT_CODE,
        "sessionWebhook": f"{standin.url}/robot/sendBySession?session={staff_id}",
        "sessionWebhookExpiredTime": now + webhook_valid_ms,
    }


def post(
    client: TestClient, body: dict[str, Any], headers: dict[str, str] | None = None
) -> Response:
    """Post a callback, signed unless other headers are given."""
    return client.post("/channels/dingtalk", json=body, headers=headers or signed())


def stored(engine: Engine, msg_id: str) -> int:
    """How many inbound rows a DingTalk msgId has."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(wechat_inbound.c.id)
            .where(wechat_inbound.c.account == "dingtalk")
            .where(wechat_inbound.c.msg_key == f"id:{msg_id}")
        ).all()
    return len(rows)


def user_row(engine: Engine, staff_id: str) -> Any:
    """The channel's row of a DingTalk user (bound user name, conversation)."""
    with engine.connect() as connection:
        return connection.execute(
            select(wechat_users)
            .where(wechat_users.c.account == "dingtalk")
            .where(wechat_users.c.openid == staff_id)
        ).one()


def web_binding_code(client: TestClient) -> str:
    """A binding code the logged-in demo user gets in the web app."""
    token = log_in(client, {"username": "demo", "password": "Demo@2026!"})
    response = client.post("/api/v1/wechat/binding-code", headers=bearer(token))
    assert response.status_code == 200, response.text
    code: str = response.json()["code"]
    return code


def agent_says(client: TestClient, engine: Engine, conversation_id: str, reply: Reply) -> None:
    """Store an agent's message and deliver it the way the handoff does."""
    store = ConversationStore(engine)
    conversation = store.get(conversation_id)
    assert conversation is not None
    stored_replies = store.answer(
        store.receive(conversation_id, "(agent turn)"), [reply], Role.AGENT
    )
    deliveries = client.app.state.services.deliveries  # type: ignore[attr-defined]
    client.portal.call(deliveries.deliver, conversation, stored_replies[-1:])  # type: ignore[union-attr]
