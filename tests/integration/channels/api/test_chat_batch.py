"""A batch file checked and issued inside the conversation: the preview and the result are
stored like a chat turn, so a reload (the socket's welcome) and the console show them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from invoicing_core.batch import columns as C
from tests.integration.channels.conftest import USER, AppFactory, bearer, log_in
from tests.integration.channels.frames import hello
from tests.integration.invoicing_core.test_batch_and_pdf_api import batch_file, invoice, line

GOOD_AND_BAD = batch_file(
    [invoice("CB1"), invoice("CB2", **{C.KIND: "数电专票", C.BUYER_TAX_ID: ""})],
    [line("CB1"), line("CB2")],
)


def send(
    client: TestClient, token: str | None, conversation_id: str, mode: str, content: bytes
) -> Any:
    return client.post(
        "/api/v1/chat/batch",
        headers=bearer(token) if token else {},
        data={"conversation_id": conversation_id, "mode": mode},
        files={"file": ("月底开票.xlsx", content, "application/octet-stream")},
    )


def logged_in_conversation(client: TestClient, first: str) -> tuple[str, str]:
    """The demo user's token and a conversation they opened with `first`."""
    token = log_in(client, USER)
    reply = client.post("/api/v1/chat", json={"message": first}, headers=bearer(token))
    return token, str(reply.json()["conversation_id"])


def test_the_preview_and_the_good_rows_result_stay_in_the_conversation(
    make_client: AppFactory,
) -> None:
    client = make_client()
    token, conversation_id = logged_in_conversation(client, "批量开票")

    preview = send(client, token, conversation_id, "preview", GOOD_AND_BAD)
    assert preview.status_code == 200, preview.text
    said, answer = preview.json()["messages"]
    assert (said["role"], said["text"]) == ("user", "上传批量开票文件：月底开票.xlsx")
    card = answer["card"]
    assert (card["type"], card["filename"], card["valid"]) == ("batch_preview", "月底开票.xlsx", 1)
    assert card["rejected"][0]["row"] == 3

    issued = send(client, token, conversation_id, "issue_valid", GOOD_AND_BAD)
    result = issued.json()["messages"][1]["card"]
    assert (result["type"], result["accepted"], len(result["numbers"])) == ("batch_result", 1, 1)

    # A reload: the welcome frame carries both cards.
    with client.websocket_connect("/ws/chat") as ws:
        welcome = hello(ws, token=token, conversation_id=conversation_id)
    cards = [m["card"]["type"] for m in welcome["messages"] if m.get("card")]
    assert cards[-2:] == ["batch_preview", "batch_result"]


def test_a_batch_needs_the_login_and_the_users_own_conversation(
    make_client: AppFactory,
) -> None:
    client = make_client()
    token = log_in(client, USER)
    admin = bearer(log_in(client, {"username": "admin", "password": "Admin@2026!"}))
    someone_elses = client.post("/api/v1/chat", json={"message": "你好"}, headers=admin).json()[
        "conversation_id"
    ]

    anonymous = send(client, None, someone_elses, "preview", GOOD_AND_BAD)
    assert anonymous.status_code == 401
    assert anonymous.json()["error"]["message"] == "请先登录后再批量开票。"
    # Nothing is issued into another user's conversation.
    count = client.get("/api/v1/invoices", headers=bearer(token)).json()["total"]
    assert send(client, token, someone_elses, "issue", GOOD_AND_BAD).status_code == 404
    assert client.get("/api/v1/invoices", headers=bearer(token)).json()["total"] == count
    unknown_mode = send(client, token, someone_elses, "everything", GOOD_AND_BAD)
    assert unknown_mode.status_code == 422
    assert unknown_mode.json()["error"]["field"] == "mode"


def test_a_file_the_core_refuses_is_said_in_the_conversation_with_the_cores_error(
    make_client: AppFactory,
) -> None:
    client = make_client()
    token, conversation_id = logged_in_conversation(client, "你好")

    refused = send(client, token, conversation_id, "preview", b"not a spreadsheet")

    assert refused.status_code == 422
    assert refused.json()["error"]["field"] == "file"
    said = refused.json()["messages"][1]
    assert said["role"] == "bot" and said["text"] == refused.json()["error"]["message"]


def test_a_batch_the_approval_rules_hold_back_is_told_as_waiting_and_issues_nothing(
    make_client: AppFactory,
) -> None:
    client = make_client()
    admin = bearer(log_in(client, {"username": "admin", "password": "Admin@2026!"}))
    rules = client.put("/api/v1/approval-rules", json={"min_total_with_tax": "1"}, headers=admin)
    assert rules.status_code == 200, rules.text
    token, conversation_id = logged_in_conversation(client, "批量开票")
    count = client.get("/api/v1/invoices", headers=bearer(token)).json()["total"]
    try:
        fresh = batch_file([invoice("CH1")], [line("CH1")])  # serials no other test issued
        held = send(client, token, conversation_id, "issue", fresh)
        assert held.status_code == 200, held.text
        mine = client.get("/api/v1/approvals", params={"mine": "requester"}, headers=bearer(token))
        [waiting] = [r for r in mine.json()["items"] if r["state"] == "pending"]
        answer = held.json()["messages"][1]
        assert answer["text"].startswith(f"已提交审批（审批单 {waiting['id']}）：")
        assert "申请将自动失效" in answer["text"] and not answer.get("card")
        assert client.get("/api/v1/invoices", headers=bearer(token)).json()["total"] == count
    finally:  # the test database is shared: later tests issue without approval
        client.put("/api/v1/approval-rules", json={}, headers=admin)
        for request in client.get(
            "/api/v1/approvals",
            params={"mine": "requester", "state": "pending"},
            headers=bearer(token),
        ).json()["items"]:
            client.post(f"/api/v1/approvals/{request['id']}/cancel", headers=bearer(token))
