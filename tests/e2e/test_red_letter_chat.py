"""A partial red-letter invoice by chat on the real stack: the seller's clerk asks for a
part, the buyer (a second company of this system) confirms the form from their own
conversation, and the red-letter invoice appears."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from invoicing_core import CoreSettings, InvoicingCore, Role
from tests.e2e.chat import Chat, cards, text_of
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e
BUYER_TAX_ID = "91420100MA0007302Q"
BUYER_NAME = "武汉红字买方有限公司"
BUYER_USER = {"username": "red-buyer", "password": "Buyer@2026!"}


@pytest.fixture(scope="module")
def buyer_token(stack: Stack) -> str:
    """The buyer company's clerk, made in the stack's database and logged in."""
    core = InvoicingCore.open(CoreSettings(database_url=f"sqlite:///{stack.log.parent / 'app.db'}"))
    try:
        company = core.accounts.company_id_by_tax_id(BUYER_TAX_ID) or core.accounts.create_company(
            name=BUYER_NAME, tax_id=BUYER_TAX_ID, monthly_quota=Decimal(100000)
        )
        if not core.accounts.user_exists(BUYER_USER["username"]):
            core.accounts.create_user(
                username=BUYER_USER["username"],
                password=BUYER_USER["password"],
                role=Role.ISSUER,
                company_id=company,
            )
    finally:
        core.close()
    login = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=BUYER_USER, timeout=30)
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token


def sold_to_buyer(api: httpx.Client) -> str:
    """A digital special invoice of 5300 (6% included) from the demo company to the buyer."""
    line = {"name": "技术服务费", "quantity": "1", "unit_price": "5300", "tax_rate": "6%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": BUYER_NAME, "tax_id": BUYER_TAX_ID},
        "lines": [{**line, "tax_included": True}],
    }
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def test_the_clerk_red_letters_a_part_and_the_buyer_confirms_from_their_own_chat(
    stack: Stack, demo_token: str, buyer_token: str, api: httpx.Client
) -> None:
    number = sold_to_buyer(api)
    clerk = Chat(stack, demo_token)

    found = clerk.say(f"红冲{number} 部分红冲2000元（含税）")
    [part] = cards(found, "invoice_draft")
    shown = {row["label"]: row["value"] for row in part["fields"]}
    assert (shown["冲减金额（不含税）"], shown["冲减税额"]) == ("1886.79", "113.21"), shown
    asked = clerk.say("销售折让")
    assert "部分红冲价税合计2000.00元" in text_of(asked), text_of(asked)
    entered = clerk.say("确认")
    assert "等待购买方确认" in text_of(entered), text_of(entered)
    assert api.get(f"/invoices/{number}").json()["status"] == "issued"

    buyer = Chat(stack, buyer_token)
    listed = buyer.say("有待确认的红字确认单吗")
    [listing] = cards(listed, "report")
    assert any(number in row["label"] for row in listing["fields"]), listing
    assert "等待您确认" in text_of(listed), text_of(listed)
    question = buyer.say("确认")
    assert "确定确认吗" in text_of(question), text_of(question)
    assert api.get(f"/invoices/{number}").json()["status"] == "issued"
    done = buyer.say("是的")

    [red] = cards(done, "invoice")
    assert red["red"], text_of(done)
    red_invoice = api.get(f"/invoices/{red['number']}").json()
    assert (red_invoice["red_of"], red_invoice["total_with_tax"]) == (number, "-2000.00")
    assert api.get(f"/invoices/{number}").json()["status"] == "partly_red_flushed"
