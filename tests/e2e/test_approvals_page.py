"""The approvals page (/approvals) in Chromium, desktop and phone: the company's admin
sets a rule on the page, two of the clerk's invoices wait for approval, the approver
approves one (it is issued) and rejects the other with a reason, and the clerk sees
both outcomes on the same page. Screenshots of each step are kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 60_000
ADMIN = ("admin", "Admin@2026!")
APPROVER = ("approver", "Approver@2026!")
CLERK = ("demo", "Demo@2026!")


@pytest.fixture
def admin_api(stack: Stack) -> Iterator[httpx.Client]:
    """The API as the demo company's admin; the company's rules are lifted afterwards."""
    login = {"username": ADMIN[0], "password": ADMIN[1]}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    with httpx.Client(base_url=f"{stack.app_url}/api/v1", headers=headers, timeout=30) as client:
        yield client
        client.put("/approval-rules", json={})


def log_in(page: Page, stack: Stack, user: tuple[str, str]) -> None:
    page.goto(f"{stack.app_url}/approvals")
    if page.get_by_role("button", name="退出登录").is_visible():
        page.get_by_role("button", name="退出登录").click()
    page.get_by_label("用户名", exact=True).fill(user[0])
    page.get_by_label("密码", exact=True).fill(user[1])
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_role("heading", name="待我审批")).to_be_visible(timeout=WAIT)


def held_invoice(api: httpx.Client, item: str, price: str) -> dict[str, Any]:
    """The clerk asks for an invoice holding `item`: a request, not an invoice."""
    line = {"name": item, "quantity": "1", "unit_price": price, "tax_rate": "6%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    response = api.post("/invoices", json=body)
    assert response.status_code == 202, response.text
    request: dict[str, Any] = response.json()
    return request


def test_an_admin_sets_a_rule_and_the_approver_decides_on_the_page(
    page: Page, stack: Stack, api: httpx.Client, admin_api: httpx.Client, shots: Path
) -> None:
    item = f"审批页测试服务{uuid.uuid4().hex[:6]}"
    log_in(page, stack, ADMIN)
    expect(page.locator("#kinds input")).to_have_count(4, timeout=WAIT)  # the rules are read
    page.get_by_label("以下商品或服务须审批（名称或税收分类简称，每行一个）").fill(item)
    page.get_by_label("申请等待多少小时后过期").fill("abc")
    page.get_by_role("button", name="保存规则").click()
    expect(page.get_by_label("申请等待多少小时后过期")).to_have_attribute("aria-invalid", "true")
    assert admin_api.get("/approval-rules").json()["items"] != [item]  # nothing saved
    page.get_by_label("申请等待多少小时后过期").fill("24")
    page.get_by_role("button", name="保存规则").click()
    expect(page.locator("#rules-status")).to_have_text("已保存。", timeout=WAIT)
    page.screenshot(path=shots / "rules.png", full_page=True)
    saved = admin_api.get("/approval-rules").json()
    assert (saved["items"], saved["lapse_hours"]) == ([item], 24)

    approved, rejected = held_invoice(api, item, "1060"), held_invoice(api, item, "2120")
    log_in(page, stack, APPROVER)
    first = page.locator(f'[data-approval="{approved["id"]}"]')
    expect(first).to_contain_text("武汉光谷科技有限公司", timeout=WAIT)
    expect(first).to_contain_text("1060.00 元")
    expect(first.locator("table")).to_contain_text(f"{item}11000.006%60.00")  # its one line
    page.screenshot(path=shots / "awaiting.png", full_page=True)
    first.get_by_role("button", name="同意").click()
    assert api.get(f"/approvals/{approved['id']}").json()["state"] == "pending"  # asked twice
    first.get_by_role("button", name="确认同意").click()
    expect(page.locator("#status")).to_contain_text(
        f"审批单 {approved['id']}：已通过", timeout=WAIT
    )
    number = api.get(f"/approvals/{approved['id']}").json()["result"]
    assert api.get(f"/invoices/{number}").json()["total_with_tax"] == "1060.00"

    second = page.locator(f'[data-approval="{rejected["id"]}"]')
    second.get_by_role("button", name="驳回").click()
    second.get_by_role("button", name="确认驳回").click()  # no reason yet: nothing sent
    expect(second.get_by_label("驳回理由")).to_have_attribute("aria-invalid", "true")
    second.get_by_label("驳回理由").fill("金额不对")
    page.screenshot(path=shots / "rejecting.png", full_page=True)
    second.get_by_role("button", name="确认驳回").click()
    expect(page.locator("#status")).to_contain_text(
        f"审批单 {rejected['id']}：已驳回", timeout=WAIT
    )
    expect(page.locator(f'#awaiting [data-approval="{rejected["id"]}"]')).to_have_count(0)

    log_in(page, stack, CLERK)
    mine = page.locator("#mine")
    expect(mine.locator(f'[data-approval="{approved["id"]}"]')).to_contain_text(
        number, timeout=WAIT
    )
    expect(mine.locator(f'[data-approval="{rejected["id"]}"]')).to_contain_text("驳回：金额不对")
    page.screenshot(path=shots / "mine.png", full_page=True)
