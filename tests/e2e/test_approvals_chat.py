"""Remote approval through the real stack: the admin's rule holds back the clerk's invoice
asked in chat, the approver approves it from a second conversation, and it is issued."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.e2e.chat import Chat, cards, text_of
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

BUYER, TAX_ID = "武汉江夏建材有限公司", "91420100MA04191901"
ASKED = f"给{BUYER}开一张专票，税号{TAX_ID}，技术服务费10600元，税率6%"


def token_of(stack: Stack, username: str, password: str) -> str:
    login = {"username": username, "password": password}
    response = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


@pytest.fixture
def buyer_held_back(stack: Stack) -> Iterator[None]:
    """The admin's rule: invoices to BUYER wait for the approver role; lifted after."""
    headers = {"Authorization": f"Bearer {token_of(stack, 'admin', 'Admin@2026!')}"}
    url = f"{stack.app_url}/api/v1/approval-rules"
    response = httpx.put(url, json={"buyers": [TAX_ID]}, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    yield
    httpx.put(url, json={}, headers=headers, timeout=30)


@pytest.mark.usefixtures("buyer_held_back")
def test_the_clerks_held_invoice_is_approved_from_the_approvers_chat_and_issued(
    stack: Stack, demo_token: str, api: httpx.Client
) -> None:
    clerk = Chat(stack, demo_token)
    assert cards(clerk.say(ASKED), "invoice_draft")
    held = text_of(clerk.say("确认"))
    [mine] = api.get("/approvals", params={"mine": "requester", "state": "pending"}).json()["items"]
    assert held.startswith(f"已提交审批（审批单 {mine['id']}）")
    assert f"购买方{TAX_ID}在审批名单中" in held
    assert mine["result"] is None  # nothing issued while it waits

    approver = Chat(stack, token_of(stack, "approver", "Approver@2026!"))
    listed = approver.say("待我审批的有哪些")
    titles = [card["title"] for card in cards(listed, "approval")]
    [position] = [n for n, title in enumerate(titles, 1) if title.endswith(f"审批单 {mine['id']}")]
    shown = {
        row["label"]: row["value"] for row in cards(listed, "approval")[position - 1]["fields"]
    }
    assert (shown["购买方"], shown["价税合计"], shown["申请人"]) == (BUYER, "10600.00", "demo")

    asked = text_of(approver.say(f"同意第{position}个"))
    assert asked.startswith(f"确认同意审批单 {mine['id']}（开具发票，{BUYER}，价税合计10600.00元")
    assert api.get(f"/approvals/{mine['id']}").json()["state"] == "pending"

    approved = approver.say("是")
    [invoice] = cards(approved, "invoice")
    number = invoice["number"]
    assert text_of(approved).startswith(
        f"已同意审批单 {mine['id']}，审批通过，已开具发票，发票号码{number}。"
    )
    issued = api.get(f"/invoices/{number}").json()  # issued as the clerk, in their company
    assert (issued["buyer"]["tax_id"], issued["total_with_tax"]) == (TAX_ID, "10600.00")
    assert api.get(f"/approvals/{mine['id']}").json()["result"] == number

    # The clerk asks in their conversation: the app does not push the outcome to it yet.
    progress = clerk.say("我的审批进度")
    card = cards(progress, "approval")[0]
    rows = {row["label"]: row["value"] for row in card["fields"]}
    assert card["title"] == f"第1个 · 审批单 {mine['id']}"
    assert (rows["状态"], rows["办理结果（发票号码）"]) == ("已通过", number)
    assert rows["审批记录"].startswith("第1级 approver 同意")
