"""The action server acts for the user a conversation belongs to, and for nobody else."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.app import create_app
from channels.conversations.store import ConversationStore
from channels.settings import AppSettings
from invoicing_core import CoreSettings
from invoicing_core.demo import seed_demo

ACTIONS_TOKEN = "actions-token-for-tests"


@pytest.fixture(scope="module")
def client(database_url: str, engine: Engine, free_port: Callable[[], int]) -> Iterator[TestClient]:
    settings = AppSettings(actions_token=ACTIONS_TOKEN, rasa_port=free_port(), log_json=False)
    app = create_app(settings, CoreSettings(database_url=database_url))
    with TestClient(app) as test_client:
        seed_demo(app.state.invoicing_core.accounts)
        yield test_client


def as_actions(conversation_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {ACTIONS_TOKEN}", "X-Conversation-Id": conversation_id}


def log_in(client: TestClient) -> dict[str, str]:
    body = {"username": "demo", "password": "Demo@2026!"}
    token = client.post("/api/v1/auth/token", json=body).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_logged_in_chat_binds_the_conversation_and_actions_act_for_that_user(
    client: TestClient, engine: Engine
) -> None:
    reply = client.post("/api/v1/chat", json={"message": "你好"}, headers=log_in(client))
    conversation_id = reply.json()["error"]["conversation_id"]  # Rasa is down in this test
    assert ConversationStore(engine).username_of(conversation_id) == "demo"

    response = client.get("/api/v1/reports/summary", headers=as_actions(conversation_id))
    assert response.status_code == 200, response.text


def test_actions_in_an_anonymous_conversation_ask_the_user_to_log_in(
    client: TestClient, engine: Engine
) -> None:
    conversation = ConversationStore(engine).open(None, "api")
    response = client.get("/api/v1/invoices", headers=as_actions(conversation.id))
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "请先登录后再办理发票业务。"


def test_a_wrong_service_token_is_just_a_forged_token(client: TestClient, engine: Engine) -> None:
    conversation = ConversationStore(engine).open(None, "api", "demo")
    headers = {**as_actions(conversation.id), "Authorization": "Bearer actions-token-for-test"}
    assert client.get("/api/v1/invoices", headers=headers).status_code == 401


def test_a_conversation_of_one_user_is_not_found_for_another_or_for_nobody(
    client: TestClient, engine: Engine
) -> None:
    conversation = ConversationStore(engine).open(None, "api", "admin")
    for headers in ({}, log_in(client)):
        response = client.post(
            "/api/v1/chat",
            json={"message": "查一下发票", "conversation_id": conversation.id},
            headers=headers,
        )
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "conversation_not_found"
