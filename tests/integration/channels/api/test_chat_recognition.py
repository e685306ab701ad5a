"""An invoice received, read and recorded inside the conversation (the real engine, on a
PDF): both steps are stored like chat turns, and the ledger refuses the same invoice twice."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.channels.api.test_chat_batch import logged_in_conversation
from tests.integration.channels.conftest import AppFactory, bearer
from tests.integration.channels.frames import hello


def _invoice_pdf(client: TestClient, token: str) -> tuple[str, bytes]:
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    issued = client.post("/api/v1/invoices", json=body, headers=bearer(token))
    assert issued.status_code == 201, issued.text
    number = str(issued.json()["number"])
    pdf = client.get(f"/api/v1/invoices/{number}/pdf", headers=bearer(token))
    return number, pdf.content


def _upload(client: TestClient, token: str, conversation_id: str, name: str, data: bytes) -> Any:
    return client.post(
        "/api/v1/chat/recognition",
        headers=bearer(token),
        data={"conversation_id": conversation_id},
        files={"file": (name, data, "application/octet-stream")},
    )


def _record(client: TestClient, token: str, conversation_id: str, recognition_id: str) -> Any:
    body = {"conversation_id": conversation_id, "recognition_id": recognition_id}
    return client.post("/api/v1/chat/recognition/record", json=body, headers=bearer(token))


def test_a_received_invoice_is_read_recorded_once_and_kept_in_the_conversation(
    make_client: AppFactory,
) -> None:
    client = make_client()
    token, conversation_id = logged_in_conversation(client, "你好")
    number, pdf = _invoice_pdf(client, token)

    read = _upload(client, token, conversation_id, "供应商发票.pdf", pdf)
    assert read.status_code == 200, read.text
    said, answer = read.json()["messages"]
    assert (said["role"], said["text"]) == ("user", "上传发票：供应商发票.pdf")
    card = answer["card"]
    assert (card["type"], card["filename"], card["format"]) == (
        "recognition",
        "供应商发票.pdf",
        "pdf",
    )
    assert card["fields"]["number"]["value"] == number
    assert card["fields"]["kind"]["text"] == "数电发票（增值税专用发票）"
    assert card["fields"]["total_with_tax"]["label"] == "价税合计（小写）"
    assert card["recorded_before"] is None

    recorded = _record(client, token, conversation_id, card["id"])
    assert recorded.status_code == 200, recorded.text
    entry = recorded.json()["messages"][1]["card"]
    assert (entry["type"], entry["number"], entry["state"]) == (
        "received_invoice",
        number,
        "recorded",
    )
    assert entry["recognition_id"] == card["id"]  # the widget settles that card by it

    again = _upload(client, token, conversation_id, "再传一次.pdf", pdf).json()["messages"][1]
    assert again["card"]["recorded_before"].startswith("该发票已于")  # said before any record
    refused = _record(client, token, conversation_id, again["card"]["id"])
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "duplicate_received_invoice"
    said, answer = refused.json()["messages"]
    assert said["text"] == "录入收票台账"
    assert answer["text"].startswith("该发票已于") and "不能重复录入" in answer["text"]

    # A reload: the welcome frame carries every step, the refusal in words.
    with client.websocket_connect("/ws/chat") as ws:
        welcome = hello(ws, token=token, conversation_id=conversation_id)
    cards = [m["card"]["type"] for m in welcome["messages"] if m.get("card")]
    assert cards[-3:] == ["recognition", "received_invoice", "recognition"]
    assert welcome["messages"][-1]["text"] == answer["text"]


def test_a_file_that_is_no_invoice_is_refused_in_words_and_kept(make_client: AppFactory) -> None:
    client = make_client()
    token, conversation_id = logged_in_conversation(client, "你好")
    refused = _upload(client, token, conversation_id, "说明.txt", "不是发票".encode())
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "unsupported_file"
    said, answer = refused.json()["messages"]
    assert said["text"] == "上传发票：说明.txt"
    assert answer["text"] == refused.json()["error"]["message"]
    guest = client.post(
        "/api/v1/chat/recognition",
        data={"conversation_id": conversation_id},
        files={"file": ("a.pdf", b"%PDF", "application/pdf")},
    )
    assert guest.status_code == 401
    assert guest.json()["error"]["code"] == "not_logged_in"
