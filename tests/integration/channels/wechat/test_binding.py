"""Binding a WeChat user to an app account with a one-time code, and unbinding."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from channels.conversations.store import ConversationStore
from channels.wechat.tables import wechat_users
from invoicing_core.demo import seed_demo
from tests.integration.channels.wechat.conftest import (
    new_openid,
    post_plain,
    reply_of,
    text_xml,
)


class RecordingSender:
    """Stands for the SMS or e-mail gateway: keeps the codes it was asked to deliver."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, username: str, code: str) -> None:
        self.sent.append((username, code))


@pytest.fixture
def sender(client: TestClient) -> RecordingSender:
    seed_demo(client.app.state.invoicing_core.accounts)  # type: ignore[attr-defined]
    recording = RecordingSender()
    client.app.state.services.wechat_binding.sender = recording  # type: ignore[attr-defined]
    return recording


def say(client: TestClient, openid: str, text: str) -> str:
    return str(reply_of(post_plain(client, text_xml(openid, text)))["Content"])


def bound_user(engine: Engine, openid: str) -> tuple[str | None, str | None]:
    with engine.connect() as connection:
        row = connection.execute(
            select(wechat_users.c.username, wechat_users.c.conversation_id).where(
                wechat_users.c.openid == openid
            )
        ).one()
    return row.username, row.conversation_id


def test_binding_with_the_code_sent_to_the_account_owner(
    client: TestClient, sender: RecordingSender, engine: Engine
) -> None:
    openid = new_openid()
    asked = say(client, openid, "绑定 demo")
    assert "验证码已发送" in asked
    [(username, code)] = sender.sent
    assert username == "demo" and re.fullmatch(r"\d{6}", code)

    assert "绑定成功" in say(client, openid, code)
    owner, _ = bound_user(engine, openid)
    assert owner == "demo"

    # Questions and actions now run in the bound user's conversation (Rasa is down here,
    # but the conversation, which the action server acts for, belongs to demo).
    say(client, openid, "查一下我的发票")
    _, conversation_id = bound_user(engine, openid)
    assert conversation_id is not None
    assert ConversationStore(engine).username_of(conversation_id) == "demo"

    assert "已解除" in say(client, openid, "解绑")
    assert bound_user(engine, openid)[0] is None


def test_an_unknown_user_name_gets_the_same_answer_and_no_code(
    client: TestClient, sender: RecordingSender
) -> None:
    answer = say(client, new_openid(), "绑定 nobody-here")
    assert "验证码已发送" in answer
    assert sender.sent == []


def test_five_wrong_codes_lock_binding(
    client: TestClient, sender: RecordingSender, engine: Engine
) -> None:
    openid = new_openid()
    say(client, openid, "绑定 demo")
    [(_, code)] = sender.sent
    wrong = "000000" if code != "000000" else "111111"

    answers = [say(client, openid, wrong) for _ in range(5)]
    assert "还可以再试4次" in answers[0]
    assert "错误次数过多" in answers[-1]
    assert "错误次数过多" in say(client, openid, code)  # even the right code waits now
    assert bound_user(engine, openid)[0] is None


def test_a_code_shown_in_the_web_app_binds_the_logged_in_user(
    client: TestClient, sender: RecordingSender, engine: Engine
) -> None:
    login = {"username": "demo", "password": "Demo@2026!"}
    token = client.post("/api/v1/auth/token", json=login).json()["access_token"]
    response = client.post(
        "/api/v1/wechat/binding-code", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.text
    code = response.json()["code"]

    openid = new_openid()
    assert "绑定成功" in say(client, openid, f"绑定 {code}")
    assert bound_user(engine, openid)[0] == "demo"
    assert "验证码不正确" in say(client, new_openid(), f"绑定 {code}")  # used once only


def test_the_web_binding_code_needs_a_login(client: TestClient) -> None:
    response = client.post("/api/v1/wechat/binding-code")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_logged_in"
