"""A logged-in user issues an invoice in the widget: the summary card, then the invoice card
and its PDF, downloaded with the user's token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 30_000
ONE_SENTENCE = "给武汉光谷科技有限公司开一张专票，税号91420106MA49X8Q2Y7，技术服务费10600元，税率6%"


def test_the_summary_card_comes_before_issuing_and_the_invoice_card_offers_its_pdf(
    stack: Stack, browser: Browser, artefacts: Path
) -> None:
    context = browser.new_context(accept_downloads=True)
    page = context.new_page()
    page.goto(stack.app_url)
    page.get_by_label("密码").fill("Demo@2026!")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("status").first).to_have_text("已登录：demo", timeout=WAIT)
    page.get_by_role("button", name="打开在线客服").click()

    page.get_by_label("输入消息").fill(ONE_SENTENCE)
    page.get_by_role("button", name="发送").click()
    summary = page.locator('[data-card="invoice_draft"]').last
    expect(summary).to_contain_text("武汉光谷科技有限公司", timeout=WAIT)
    assert page.locator('[data-card="invoice"]').count() == 0

    page.get_by_label("输入消息").fill("确认")
    page.get_by_role("button", name="发送").click()
    card = page.locator('[data-card="invoice"]').last
    expect(card).to_contain_text("10600.00", timeout=WAIT)
    page.screenshot(path=artefacts / "widget-invoice-card.png")

    with page.expect_download() as download:
        card.get_by_role("button", name=re.compile("^下载发票")).click()
    saved = artefacts / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".pdf" and saved.read_bytes().startswith(b"%PDF")
    context.close()
