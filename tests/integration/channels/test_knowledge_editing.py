"""The curation loop through the app: edit, preview, publish, versions and rollback, import
and export, drafts, the review list, and a publish seen by a second worker through Redis."""

from __future__ import annotations

import io
import shutil
import time
import uuid
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from invoicing_core import Role
from invoicing_core.demo import DEMO_COMPANY
from knowledge import KnowledgeSettings, ensure_index
from tests.integration.channels.conftest import AppFactory
from tests.workbooks import workbook

PASSWORD = "Editing@2026!"
KB = "/api/v1/knowledge"
QUESTION = "发票上的收款人和复核人一栏必须填写吗"


@pytest.fixture(scope="module")
def shipped_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the shipped entries, built once; each app works on a copy of it."""
    folder = tmp_path_factory.mktemp("shipped") / "index"
    ensure_index(KnowledgeSettings(knowledge_index_dir=folder))
    return folder


@pytest.fixture
def make_app(make_client: AppFactory, shipped_index: Path, tmp_path: Path) -> AppFactory:
    """Start app workers (live conftest) on the shared database, each with its own index."""
    started = count()

    def make(**overrides: Any) -> TestClient:
        folder = tmp_path / f"index-{next(started)}"
        shutil.copytree(shipped_index, folder)
        return make_client(KnowledgeSettings(knowledge_index_dir=folder), **overrides)

    return make


def as_role(client: TestClient, role: Role) -> dict[str, str]:
    """Bearer headers of a new user with `role` (of the demo company unless platform-wide)."""
    accounts = client.app.state.invoicing_core.accounts  # type: ignore[attr-defined]
    company = None if role.platform_wide else accounts.company_id_by_tax_id(DEMO_COMPANY["tax_id"])
    username = f"kb-{role.value}-{uuid.uuid4().hex[:8]}"
    accounts.create_user(username=username, password=PASSWORD, role=role, company_id=company)
    body = {"username": username, "password": PASSWORD}
    token = client.post("/api/v1/auth/token", json=body).json()["access_token"]
    return {"Authorization": f"Bearer {token}"}


def new_entry(entry_id: str, answer: str = "不是必填项。") -> dict[str, Any]:
    return {
        "question": QUESTION,
        "questions": ["收款人 复核人 要填吗", "复核人可以空着吗"],
        "answer": answer + "收款人、复核人栏按企业内部管理需要填写，不影响发票效力。",
        "tags": ["收款人", "复核人"],
        "sources": [{"name": "《中华人民共和国发票管理办法实施细则》"}],
        "effective_date": "2024-03-01",
    }


def first(client: TestClient, question: str) -> tuple[bool, str]:
    body = client.get(f"{KB}/search", params={"q": question}).json()
    return body["answered"], body["hits"][0]["id"]


def test_an_entry_is_edited_previewed_published_and_rolled_back(make_app: AppFactory) -> None:
    client = make_app()
    editor = as_role(client, Role.EDITOR)
    entry_id = f"rules.payee_{uuid.uuid4().hex[:6]}"

    preview = client.post(
        f"{KB}/preview",
        json={"question": QUESTION, "entry": {"id": entry_id, **new_entry(entry_id)}},
        headers=editor,
    ).json()
    assert (preview["answered"], preview["hits"][0]["id"]) == (True, entry_id)
    assert first(client, QUESTION)[1] != entry_id  # a preview saves nothing

    saved = client.put(f"{KB}/entries/{entry_id}", json=new_entry(entry_id), headers=editor)
    assert saved.status_code == 200 and saved.json()["version"]["action"] == "save"
    assert first(client, QUESTION)[1] != entry_id  # searched only once published

    published = client.post(f"{KB}/reload", headers=editor).json()
    assert published["rebuilt"] is True
    assert first(client, QUESTION) == (True, entry_id)

    client.put(f"{KB}/entries/{entry_id}", json=new_entry(entry_id, "改过的答案。"), headers=editor)
    detail = client.get(f"{KB}/entries/{entry_id}", headers=editor).json()
    versions = detail["versions"]
    assert [v["action"] for v in versions] == ["save", "save"]
    assert versions[0]["entry"]["answer"].startswith("改过的答案")

    client.post(
        f"{KB}/entries/{entry_id}/rollback", json={"version": versions[1]["id"]}, headers=editor
    )
    client.post(f"{KB}/reload", headers=editor)
    hit = client.get(f"{KB}/search", params={"q": QUESTION}).json()["hits"][0]
    assert hit["answer"].startswith("不是必填项") and hit["sources"][0]["title"].startswith(
        "《中华"
    )

    client.delete(f"{KB}/entries/{entry_id}", headers=editor)
    client.post(f"{KB}/reload", headers=editor)
    assert first(client, QUESTION)[1] != entry_id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"answer": "缺少问题"}, "question"),
        ({"question": "问", "answer": "答", "effective_date": "明年"}, "effective_date"),
        ({"question": "问", "answer": "答", "sources": [{"url": "https://x.cn"}]}, "sources"),
        ({"question": "问", "answer": "答", "colour": "red"}, "colour"),
    ],
)
def test_a_bad_entry_is_refused_with_its_field_and_nothing_is_saved(
    make_app: AppFactory, body: dict[str, Any], field: str
) -> None:
    client = make_app()
    editor = as_role(client, Role.EDITOR)
    entry_id = f"rules.bad_{uuid.uuid4().hex[:6]}"

    response = client.put(f"{KB}/entries/{entry_id}", json=body, headers=editor)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == field
    assert client.get(f"{KB}/entries/{entry_id}", headers=editor).status_code == 404


def test_an_import_with_a_bad_row_changes_nothing_and_names_the_row(make_app: AppFactory) -> None:
    client = make_app()
    editor = as_role(client, Role.EDITOR)
    exported = client.get(f"{KB}/export", headers=editor)
    sheet = load_workbook(io.BytesIO(exported.content)).active
    assert sheet is not None
    rows: list[list[object]] = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert len(rows) - 1 == len(client.app.state.services.knowledge_base.entries)  # type: ignore[attr-defined]

    bad: list[list[object]] = [
        rows[0],
        ["imp.ok", "问一", "答一"],
        ["imp.bad", "", "答二"],
        ["imp.date", "问三", "答三", None, None, None, "下周"],
    ]
    response = client.post(
        f"{KB}/import", files={"file": ("kb.xlsx", workbook(bad))}, headers=editor
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert [(r["row"], r["field"]) for r in error["rows"]] == [
        (3, "question"),
        (4, "effective_date"),
    ]
    assert client.get(f"{KB}/entries/imp.ok", headers=editor).status_code == 404

    good: list[list[object]] = [rows[0], [f"imp.ok{uuid.uuid4().hex[:4]}", "问一", "答一"], rows[1]]
    imported = client.post(
        f"{KB}/import", files={"file": ("kb.xlsx", workbook(good))}, headers=editor
    )
    assert imported.json() == {"rows": 2, "changed": 1}  # the exported row is unchanged


def test_an_agents_reply_becomes_a_draft_that_is_not_searched(make_app: AppFactory) -> None:
    client = make_app()
    agent = as_role(client, Role.AGENT)
    editor = as_role(client, Role.EDITOR)

    made = client.post(
        f"{KB}/drafts",
        json={"question": "税控盘的服务费能全额抵减吗", "answer": "可以，按规定全额抵减。"},
        headers=agent,
    )
    assert made.status_code == 201
    draft_id = made.json()["version"]["entry_id"]
    listed = {
        e["id"]: e
        for e in client.get(f"{KB}/entries", params={"q": "draft."}, headers=editor).json()[
            "entries"
        ]
    }
    assert listed[draft_id]["status"] == "draft"
    client.post(f"{KB}/reload", headers=editor)
    hits = client.get(f"{KB}/search", params={"q": "税控盘的服务费能全额抵减吗", "k": 20}).json()[
        "hits"
    ]
    assert draft_id not in {hit["id"] for hit in hits}


def test_roles(make_app: AppFactory) -> None:
    client = make_app()
    admin, issuer, agent = (as_role(client, r) for r in (Role.ADMIN, Role.ISSUER, Role.AGENT))
    assert client.put(f"{KB}/entries/x.y", json=new_entry("x.y"), headers=admin).status_code == 403
    assert client.get(f"{KB}/export", headers=admin).status_code == 403
    assert client.get(f"{KB}/review", headers=admin).status_code == 200
    assert client.get(f"{KB}/review", headers=issuer).status_code == 403
    assert (
        client.post(
            f"{KB}/drafts", json={"question": "问", "answer": "答"}, headers=issuer
        ).status_code
        == 403
    )
    assert client.post(f"{KB}/reload", headers=agent).status_code == 403


def test_the_review_groups_a_companys_unanswered_questions(make_app: AppFactory) -> None:
    client = make_app()
    issuer, admin, editor = (as_role(client, r) for r in (Role.ISSUER, Role.ADMIN, Role.EDITOR))
    tag = uuid.uuid4().hex[:6]
    for question in (f"火星上开发票要交什么税 {tag}", f"在火星开发票需要缴什么税 {tag}"):
        assert (
            client.get(f"{KB}/search", params={"q": question}, headers=issuer).json()["answered"]
            is False
        )

    groups = client.get(f"{KB}/review", params={"days": 1}, headers=admin).json()["groups"]
    mine = [g for g in groups if any(tag in q for q in g["questions"])]
    assert len(mine) == 1 and mine[0]["count"] == 2 and mine[0]["kinds"] == {"unanswered": 2}
    assert mine == [
        g for g in client.get(f"{KB}/review", headers=editor).json()["groups"] if g in mine
    ]


def test_a_publish_on_one_worker_is_loaded_by_another(make_app: AppFactory, redis_url: str) -> None:
    one, two = make_app(redis_url=redis_url), make_app(redis_url=redis_url)
    editor = as_role(one, Role.EDITOR)
    entry_id = f"rules.payee_{uuid.uuid4().hex[:6]}"
    one.put(f"{KB}/entries/{entry_id}", json=new_entry(entry_id), headers=editor)

    one.post(f"{KB}/reload", headers=editor)

    for _ in range(100):
        if first(two, QUESTION)[1] == entry_id:
            break
        time.sleep(0.2)
    assert first(two, QUESTION) == (True, entry_id)
