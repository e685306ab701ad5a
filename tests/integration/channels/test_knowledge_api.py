"""The knowledge base through the app: search for everyone, upkeep for the platform's editors,
each company's unanswered questions for its admins."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings, Role
from invoicing_core.demo import DEMO_COMPANY, seed_demo
from knowledge import KnowledgeSettings, load_entries

ROOT = Path(__file__).resolve().parents[3]
PASSWORD = "Knowledge@2026!"
SEARCH = "/api/v1/knowledge/search"
UNANSWERED = "/api/v1/knowledge/unanswered"
RELOAD = "/api/v1/knowledge/reload"


def knowledge_settings() -> KnowledgeSettings:
    """The project's entries and the index the set-up builds from them (var/knowledge-index)."""
    return KnowledgeSettings(
        knowledge_source=ROOT / "knowledge" / "entries",
        knowledge_index_dir=ROOT / "var" / "knowledge-index",
    )


def build_app(database_url: str, free_port: Callable[[], int]) -> FastAPI:
    """The real app; Rasa and the action server are not needed here."""
    settings = AppSettings(rasa_port=free_port(), action_port=free_port(), log_json=False)
    core_settings = CoreSettings(database_url=database_url)
    return create_app(settings, core_settings, knowledge_settings())


@pytest.fixture(scope="module")
def app(database_url: str, engine: Engine, free_port: Callable[[], int]) -> FastAPI:
    return build_app(database_url, free_port)


@pytest.fixture(scope="module")
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        seed_demo(app.state.invoicing_core.accounts)
        yield test_client


@pytest.fixture(scope="module")
def logged_in_as(app: FastAPI, client: TestClient) -> Callable[[Role], dict[str, str]]:
    """Bearer headers of a user of the demo company per role (agents have none), made once."""
    made: dict[Role, dict[str, str]] = {}

    def headers(role: Role) -> dict[str, str]:
        if role not in made:
            made[role] = log_in_new_user(app, client, role)
        return made[role]

    return headers


def log_in_new_user(app: FastAPI, client: TestClient, role: Role) -> dict[str, str]:
    """Create a user with `role` and log in as them."""
    accounts = app.state.invoicing_core.accounts
    username = f"kb-{role.value}-{uuid.uuid4().hex[:8]}"
    company = None if role.platform_wide else accounts.company_id_by_tax_id(DEMO_COMPANY["tax_id"])
    return log_in(client, accounts, username, role, company)


def log_in(
    client: TestClient, accounts: Any, username: str, role: Role, company: int | None
) -> dict[str, str]:
    accounts.create_user(username=username, password=PASSWORD, role=role, company_id=company)
    body = {"username": username, "password": PASSWORD}
    token = client.post("/api/v1/auth/token", json=body).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def test_a_policy_question_is_answered_with_its_entry_first(client: TestClient) -> None:
    response = client.get(SEARCH, params={"q": "忘记密码怎么办", "k": 3})

    assert response.status_code == 200
    body = response.json()
    assert body["answered"] is True
    assert len(body["hits"]) == 3
    assert body["hits"][0]["id"] == "account.forgot_password"
    assert sorted(body["hits"][0]) == [
        "answer",
        "basis",
        "checked",
        "effective_date",
        "id",
        "question",
        "score",
        "sources",
    ]
    assert body["hits"][0]["basis"].startswith("依据：")
    assert all(source["title"] for source in body["hits"][0]["sources"])


def unanswered(client: TestClient, headers: dict[str, str]) -> set[str]:
    report = client.get(UNANSWERED, params={"limit": 200}, headers=headers)
    assert report.status_code == 200
    return {row["question"] for row in report.json()["questions"]}


def test_unanswered_questions_are_kept_per_company(
    app: FastAPI, client: TestClient, logged_in_as: Callable[[Role], dict[str, str]]
) -> None:
    accounts = app.state.invoicing_core.accounts
    tag = uuid.uuid4().hex[:6]
    other = accounts.create_company(
        name=f"武汉另一家公司{tag}", tax_id=f"91420100MA4K{tag.upper()[:5]}X", monthly_quota=1000
    )
    outsider = log_in(client, accounts, f"kb-other-{tag}", Role.ISSUER, other)
    ours, theirs, guests = (f"明天武汉会下雨吗 身份证号4201{n}{tag}" for n in (1, 2, 3))

    for question, headers in ((ours, logged_in_as(Role.ISSUER)), (theirs, outsider), (guests, {})):
        body = client.get(SEARCH, params={"q": question}, headers=headers).json()
        assert body["answered"] is False

    seen_by_admin = unanswered(client, logged_in_as(Role.ADMIN))
    assert ours in seen_by_admin and theirs not in seen_by_admin and guests not in seen_by_admin
    assert {ours, theirs, guests} <= unanswered(client, logged_in_as(Role.EDITOR))


def test_a_question_about_another_tax_is_declined_as_out_of_scope(client: TestClient) -> None:
    body = client.get(SEARCH, params={"q": "企业所得税汇算清缴怎么申报"}).json()
    assert (body["answered"], body["out_of_scope"]) == (False, ["企业所得税"])


@pytest.mark.parametrize(("method", "path"), [("GET", UNANSWERED), ("POST", RELOAD)])
def test_knowledge_upkeep_asks_an_anonymous_caller_to_log_in(
    client: TestClient, method: str, path: str
) -> None:
    response = client.request(method, path)

    assert response.status_code == 401
    assert response.json() == {"error": {"code": "not_authenticated", "message": "请先登录。"}}


@pytest.mark.parametrize(
    ("method", "path", "roles", "message"),
    [
        ("GET", UNANSWERED, [Role.ISSUER, Role.VIEWER, Role.AGENT], "只有企业管理员和知识库编辑"),
        ("POST", RELOAD, [Role.ISSUER, Role.VIEWER, Role.AGENT, Role.ADMIN], "只有知识库编辑"),
    ],
)
def test_knowledge_upkeep_is_refused_to_the_wrong_roles(
    client: TestClient,
    logged_in_as: Callable[[Role], dict[str, str]],
    method: str,
    path: str,
    roles: list[Role],
    message: str,
) -> None:
    for role in roles:
        response = client.request(method, path, headers=logged_in_as(role))

        assert response.status_code == 403, role
        error = response.json()["error"]
        assert error["code"] == "forbidden" and error["message"].startswith(message)


def test_an_editor_reloads_unchanged_entries_without_a_rebuild(
    app: FastAPI, client: TestClient, logged_in_as: Callable[[Role], dict[str, str]]
) -> None:
    editor = logged_in_as(Role.EDITOR)
    # The first takes in what other tests saved in the shared database since it opened.
    client.post(RELOAD, headers=editor)
    response = client.post(RELOAD, headers=editor)

    assert response.status_code == 200
    body = response.json()
    assert body["rebuilt"] is False
    searched = app.state.services.knowledge_base.store.overlay(
        load_entries(ROOT / "knowledge" / "entries")
    )
    assert body["entries"] == len(searched)
    assert client.get(SEARCH, params={"q": "忘记密码怎么办"}).json()["answered"] is True


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "开票", "k": "0"}, "k"),
        ({"q": "开票", "k": "1000"}, "k"),
        ({"q": "开票", "k": "abc"}, "k"),
        ({"q": "开票", "k": ""}, "k"),
        ({}, "q"),
        ({"q": "   "}, "q"),
        ({"q": "发票" * 300}, "q"),
    ],
)
def test_bad_search_input_gets_a_chinese_error_never_a_500(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get(SEARCH, params=params)

    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_input", field)
    assert any("\u4e00" <= character <= "\u9fff" for character in error["message"])


def test_apps_of_one_process_share_one_loaded_knowledge_base(
    app: FastAPI, client: TestClient, database_url: str, free_port: Callable[[], int]
) -> None:
    second = build_app(database_url, free_port)
    with TestClient(second):
        assert second.state.services.knowledge_base is app.state.services.knowledge_base
