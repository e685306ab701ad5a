"""The received-invoice ledger (收票台账) typed in the chat, through the real stack: an invoice
read and recorded in the conversation is "这张", asked about, marked reimbursed after a
yes, and summed with the month."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from tests.e2e.chat import Chat, cards, text_of
from tests.e2e.conftest import Stack
from tests.e2e.received import issued_invoice_pdf

pytestmark = pytest.mark.e2e


def read_and_recorded(stack: Stack, token: str, chat: Chat, pdf: bytes) -> dict[str, Any]:
    """The widget's upload and its "录入收票台账" choice in the conversation: the entry."""
    headers = {"Authorization": f"Bearer {token}"}
    read = httpx.post(
        f"{stack.app_url}/api/v1/chat/recognition",
        headers=headers,
        data={"conversation_id": str(chat.conversation_id)},
        files={"file": ("供应商发票.pdf", pdf, "application/pdf")},
        timeout=60,
    )
    assert read.status_code == 200, read.text
    recognition = read.json()["messages"][-1]["card"]
    body = {"conversation_id": chat.conversation_id, "recognition_id": recognition["id"]}
    recorded = httpx.post(
        f"{stack.app_url}/api/v1/chat/recognition/record", json=body, headers=headers, timeout=60
    )
    assert recorded.status_code == 200, recorded.text
    entry: dict[str, Any] = recorded.json()["messages"][-1]["card"]
    return entry


def test_this_invoice_is_asked_about_marked_reimbursed_after_a_yes_and_summed(
    stack: Stack, demo_token: str, api: httpx.Client
) -> None:
    number, pdf = issued_invoice_pdf(api)
    chat = Chat(stack, demo_token)
    chat.say("你好")
    entry = read_and_recorded(stack, demo_token, chat, pdf)

    status = text_of(chat.say("这张发票报销过吗"))
    assert f"发票{number}" in status and "状态：已录入" in status

    asked = text_of(chat.say("把这张标记为已报销"))
    assert f"确认把发票{number}" in asked and "“已报销”" in asked
    assert api.get(f"/received-invoices/{entry['id']}").json()["state"] == "recorded"

    assert text_of(chat.say("是")) == f"已把发票{number}标记为“已报销”。"
    assert api.get(f"/received-invoices/{entry['id']}").json()["state"] == "reimbursed"

    status = text_of(chat.say("这张发票报销过吗"))
    assert f"发票{number}" in status and "状态：已报销" in status

    month = datetime.now(timezone(timedelta(hours=8))).date()
    summed = chat.say("本月收到多少专票")
    [card] = cards(summed, "report")
    assert card["title"] == f"{month.year}年{month.month}月收票汇总"
    assert text_of(summed).startswith(f"{month.year}年{month.month}月收票汇总：收到发票")
    assert "数电发票（增值税专用发票）" in {row["label"] for row in card["fields"]}
