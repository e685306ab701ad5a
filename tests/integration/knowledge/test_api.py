"""The knowledge routes: search, reload and the unanswered report, with the contract's errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from knowledge import KnowledgeBase, UnansweredLog, create_router, from_app_state


def require_admin(x_role: str = Header(default="")) -> None:
    """Stands in for the app's admin check: the app plugs in its own."""
    if x_role != "admin":
        raise HTTPException(status_code=403)


@pytest.fixture
def client(knowledge_base: KnowledgeBase, knowledge_engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.knowledge_base = knowledge_base
    app.state.unanswered_log = UnansweredLog(knowledge_engine)
    router = create_router(
        from_app_state("knowledge_base"), from_app_state("unanswered_log"), require_admin
    )
    app.include_router(router, prefix="/api/v1")
    with TestClient(app) as test_client:
        yield test_client


def test_search_answers_in_the_contract_shape(client: TestClient) -> None:
    response = client.get("/api/v1/knowledge/search", params={"q": "忘记密码怎么办", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is True
    assert [sorted(hit) for hit in body["hits"]] == [["answer", "id", "question", "score"]] * 2
    assert body["hits"][0]["id"] == "account.forgot_password"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({}, "q", "问题不能为空"),
        ({"q": "  "}, "q", "问题不能为空"),
        ({"q": "好" * 501}, "q", "问题过长，最多 500 个字符"),
        ({"q": "开票", "k": "0"}, "k", "k 应为 1 到 20 之间的整数"),
        ({"q": "开票", "k": "21"}, "k", "k 应为 1 到 20 之间的整数"),
        ({"q": "开票", "k": "abc"}, "k", "k 应为 1 到 20 之间的整数"),
    ],
)
def test_bad_search_input_gets_a_chinese_error_naming_the_field(
    client: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    response = client.get("/api/v1/knowledge/search", params=params)
    assert response.status_code == 422
    assert response.json() == {
        "error": {"code": "invalid_input", "message": message, "field": field}
    }


def test_unanswered_questions_are_logged_and_reported_most_frequent_first(
    client: TestClient,
) -> None:
    rare = f"社保基数怎么调整 {uuid.uuid4().hex[:6]}"
    frequent = f"公积金怎么提取 {uuid.uuid4().hex[:6]}"
    for question in [frequent, rare, frequent, frequent + " "]:
        body = client.get("/api/v1/knowledge/search", params={"q": question}).json()
        assert body["answered"] is False
    client.get("/api/v1/knowledge/search", params={"q": "忘记密码怎么办"})

    response = client.get("/api/v1/knowledge/unanswered", headers={"x-role": "admin"})
    assert response.status_code == 200
    rows = {row["question"]: row for row in response.json()["questions"]}
    assert rows[frequent]["count"] == 3 and rows[rare]["count"] == 1
    assert rows[frequent]["closest_id"] and 0 <= rows[frequent]["closest_score"] < 0.5
    assert "忘记密码怎么办" not in rows
    order = [row["question"] for row in response.json()["questions"]]
    assert order.index(frequent) < order.index(rare)


def test_admin_routes_use_the_admin_dependency(client: TestClient) -> None:
    assert client.get("/api/v1/knowledge/unanswered").status_code == 403
    assert client.post("/api/v1/knowledge/reload").status_code == 403


def test_reload_reports_that_an_unchanged_source_needed_no_build(client: TestClient) -> None:
    response = client.post("/api/v1/knowledge/reload", headers={"x-role": "admin"})
    assert response.status_code == 200
    assert response.json()["rebuilt"] is False
    assert response.json()["entries"] == 65
