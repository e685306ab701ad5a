"""The knowledge routes: search, reload and the unanswered report, with the contract's errors."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI, Header, HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from knowledge import (
    Asker,
    KnowledgeBase,
    UnansweredLog,
    create_router,
    from_app_state,
    load_entries,
)

ENTRIES = Path(__file__).resolve().parents[3] / "knowledge" / "entries"


def require_editor(x_role: str = Header(default="")) -> None:
    """Stands in for the app's editor check: the app plugs in its own."""
    if x_role != "editor":
        raise HTTPException(status_code=403)


def report_scope(x_role: str = Header(default="")) -> int | None:
    """Stands in for the app's: editors see every company's questions, admins their own."""
    if x_role not in ("editor", "admin"):
        raise HTTPException(status_code=403)
    return 7 if x_role == "admin" else None


def asker(x_company: str = Header(default="")) -> Asker:
    """Stands in for the app's: the asker's company."""
    return Asker(int(x_company) if x_company else None)


@pytest.fixture
def client(knowledge_base: KnowledgeBase, knowledge_engine: Engine) -> Iterator[TestClient]:
    app = FastAPI()
    app.state.knowledge_base = knowledge_base
    app.state.unanswered_log = UnansweredLog(knowledge_engine)
    router = create_router(
        from_app_state("knowledge_base"),
        from_app_state("unanswered_log"),
        require_editor,
        report_scope,
        asker,
    )
    app.include_router(router, prefix="/api/v1")
    with TestClient(app) as test_client:
        yield test_client


def test_search_answers_in_the_contract_shape(client: TestClient) -> None:
    response = client.get("/api/v1/knowledge/search", params={"q": "忘记密码怎么办", "k": 2})
    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is True
    assert [sorted(hit) for hit in body["hits"]] == [
        ["answer", "basis", "checked", "effective_date", "id", "question", "score", "sources"]
    ] * 2
    assert body["out_of_scope"] == []
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

    response = client.get("/api/v1/knowledge/unanswered", headers={"x-role": "editor"})
    assert response.status_code == 200
    rows = {row["question"]: row for row in response.json()["questions"]}
    assert rows[frequent]["count"] == 3 and rows[rare]["count"] == 1
    assert rows[frequent]["closest_id"] and 0 <= rows[frequent]["closest_score"] < 0.5
    assert "忘记密码怎么办" not in rows
    order = [row["question"] for row in response.json()["questions"]]
    assert order.index(frequent) < order.index(rare)


def test_a_company_admin_reads_only_the_questions_of_their_company(client: TestClient) -> None:
    ours, theirs = (f"社保基数怎么调整 {company} {uuid.uuid4().hex[:6]}" for company in (7, 8))
    for question, company in ((ours, "7"), (theirs, "8")):
        headers = {"x-company": company}
        client.get("/api/v1/knowledge/search", params={"q": question}, headers=headers)

    response = client.get("/api/v1/knowledge/unanswered", headers={"x-role": "admin"})
    questions = {row["question"] for row in response.json()["questions"]}
    assert ours in questions and theirs not in questions


def test_upkeep_routes_use_the_app_dependencies(client: TestClient) -> None:
    assert client.get("/api/v1/knowledge/unanswered").status_code == 403
    assert client.post("/api/v1/knowledge/reload").status_code == 403
    assert client.post("/api/v1/knowledge/reload", headers={"x-role": "admin"}).status_code == 403


def test_reload_reports_that_an_unchanged_source_needed_no_build(client: TestClient) -> None:
    response = client.post("/api/v1/knowledge/reload", headers={"x-role": "editor"})
    assert response.status_code == 200
    assert response.json()["rebuilt"] is False
    assert response.json()["entries"] == len(load_entries(ENTRIES))
