"""The chat API without a bot: validation, errors, nothing lost while Rasa is down."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.app import create_app
from channels.conversations.store import ConversationStore
from channels.settings import AppSettings
from invoicing_core import CoreSettings


@pytest.fixture
def client(database_url: str, engine: Engine, free_port: Callable[[], int]) -> Iterator[TestClient]:
    # Nothing listens on these ports: Rasa and the action server are down.
    settings = AppSettings(
        rasa_port=free_port(),
        action_port=free_port(),
        health_timeout_seconds=0.5,
        log_json=False,
    )
    with TestClient(create_app(settings, CoreSettings(database_url=database_url))) as test_client:
        yield test_client


def test_a_message_sent_while_rasa_is_down_gets_503_and_is_kept(
    client: TestClient, engine: Engine
) -> None:
    response = client.post("/api/v1/chat", json={"message": "忘记密码怎么办"})

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "bot_unavailable"
    assert "消息已保存" in error["message"]
    kept = ConversationStore(engine).undelivered(error["conversation_id"])
    assert [m.text for m in kept] == ["忘记密码怎么办"]


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({}, "message", "缺少必填字段"),
        ({"message": "   "}, "message", "不能为空"),
        ({"message": "好" * 2001}, "message", "内容过长，最多 2000 个字符"),
        ({"message": 5}, "message", "应为文本"),
        ({"message": "你好", "conversation_id": "abc"}, "conversation_id", "格式不正确"),
    ],
)
def test_bad_chat_input_gets_a_chinese_error_naming_the_field(
    client: TestClient, body: dict[str, object], field: str, message: str
) -> None:
    response = client.post("/api/v1/chat", json=body)
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field)
    assert error["message"].startswith(message)


def test_a_body_that_is_not_json_gets_a_chinese_error(client: TestClient) -> None:
    response = client.post(
        "/api/v1/chat", content=b"{bad", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json() == {
        "error": {"code": "invalid_input", "message": "请求体不是有效的 JSON"}
    }


def test_an_unknown_conversation_is_404_and_stores_nothing(client: TestClient) -> None:
    response = client.post(
        "/api/v1/chat",
        json={"message": "你好", "conversation_id": "00000000-0000-0000-0000-000000000000"},
    )
    assert response.status_code == 404
    assert response.json()["error"]["field"] == "conversation_id"


def test_health_reports_which_part_is_down(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "app": "up",
        "database": "up",
        "rasa": "down",
        "action_server": "down",
    }


def test_an_unknown_path_is_a_chinese_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
