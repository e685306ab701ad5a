"""A clerk's first day in the widget, in Chromium on a desktop and a phone viewport.

What a person sees is asserted: the words on the cards, the user's own words for a tapped
button, the note on a message too long to send, and that the bot still answers after odd
and hostile input. Screenshots of each journey are kept under the test's artefacts.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import DESKTOP, PHONE, WAIT, Widget, log_in_as_demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
ONE_SENTENCE = (
    "给武汉光谷科技有限公司开一张数电普票，税号91420106MA49X8Q2Y7，软件开发服务一万二，税率6%"
)


def _field(card: Locator, label: str) -> Locator:
    """The value a card shows for one label."""
    return card.locator("dt", has_text=label).locator("xpath=following-sibling::dd[1]")


def test_one_sentence_issuing_keeps_the_details_takes_a_correction_and_shows_words(
    stack: Stack, page: Page, shots: Path
) -> None:
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)

    widget.say(ONE_SENTENCE)
    draft = page.locator('[data-card="invoice_draft"]').last
    expect(_field(draft, "购买方")).to_have_text("武汉光谷科技有限公司", timeout=WAIT)
    expect(_field(draft, "项目")).to_have_text("软件开发服务")

    widget.say("项目改成技术咨询服务")
    corrected = page.locator('[data-card="invoice_draft"]').nth(1)
    expect(_field(corrected, "项目")).to_have_text("技术咨询服务", timeout=WAIT)
    expect(_field(corrected, "购买方")).to_have_text("武汉光谷科技有限公司")
    page.screenshot(path=shots / "1-draft-corrected.png")

    page.get_by_role("button", name="确认开具").last.click()
    card = page.locator('[data-card="invoice"]').last
    expect(card).to_contain_text("技术咨询服务", timeout=WAIT)
    # The tapped button reads as the words on it, now and after a reload.
    expect(widget.message("user", "确认开具")).to_be_visible()
    expect(widget.messages).not_to_contain_text("/affirm")
    page.screenshot(path=shots / "2-issued.png")
    page.reload()
    widget = Widget(page)
    expect(widget.message("user", "确认开具")).to_be_visible(timeout=WAIT)
    expect(widget.messages).not_to_contain_text("/affirm")


def test_long_odd_and_hostile_input_leaves_the_bot_answering(
    stack: Stack, page: Page, shots: Path
) -> None:
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)
    widget.say("我要红冲一张发票")
    expect(widget.message("bot", "请问是哪张发票")).to_be_visible(timeout=WAIT)
    sent = page.locator(".kp-msg.kp-user").count()

    paste = "发票信息有误需要红冲处理" * 420  # 5,040 characters
    widget.say(paste)
    expect(page.get_by_role("alert")).to_contain_text("最多2000个字", timeout=WAIT)
    expect(page.get_by_label("输入消息")).to_have_value(paste)  # nothing cut, nothing lost
    assert page.locator(".kp-msg.kp-user").count() == sent
    page.screenshot(path=shots / "1-too-long.png")

    bot_messages = page.locator(".kp-msg.kp-bot")
    for odd in ("onerror=alert(1)", "<img src=x onerror=alert(1)>", "😀😀😀"):
        before = bot_messages.count()
        widget.say(odd)
        expect(bot_messages).not_to_have_count(before, timeout=WAIT)
    expect(widget.messages).not_to_contain_text("没有找到发票“1”")
    assert page.locator(".kp-messages img").count() == 0

    page.get_by_role("button", name="不办了").last.click()
    expect(widget.message("bot", "已取消")).to_be_visible(timeout=WAIT)
    widget.say("忘记密码怎么办")
    expect(widget.message("bot", "重置")).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots / "2-still-answering.png")


def test_the_invoice_list_shows_more_than_the_first_five(
    stack: Stack, page: Page, api: httpx.Client, shots: Path
) -> None:
    line = {"name": "办公用品", "quantity": "1", "unit_price": "113", "tax_rate": "13%"}
    for _ in range(6):
        issued = api.post(
            "/invoices",
            json={"kind": "digital_general", "buyer": {"name": "张伟"}, "lines": [line]},
        )
        assert issued.status_code == 201, issued.text
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)

    widget.say("查一下本月开的发票")
    listed = page.locator('[data-card="invoice_list"]').last
    expect(listed.locator("tr")).to_have_count(1 + 5, timeout=WAIT)
    found = re.search(r"共 (\d+) 张", listed.inner_text())
    assert found is not None and int(found[1]) >= 6
    total = int(found[1])
    listed.get_by_role("button", name="显示更多").click()
    expect(listed.locator("tr")).to_have_count(1 + min(total, 10), timeout=WAIT)
    page.screenshot(path=shots / "1-list-more.png")


def test_a_guest_asks_from_the_greeting_and_logs_in_inside_the_widget(
    stack: Stack, page: Page, shots: Path
) -> None:
    page.goto(stack.app_url)
    widget = Widget(page)
    suggestions = page.get_by_role("group", name="猜您想问")
    suggestions.get_by_role("button", name="忘记密码怎么办").click()
    expect(widget.message("bot", "依据")).to_be_visible(timeout=WAIT)

    widget.say("帮我开一张发票")
    login = page.locator('[data-card="login"]').last
    expect(login).to_be_visible(timeout=WAIT)
    login.get_by_label("用户名").fill("demo")
    login.get_by_label("密码").fill("Demo@2026!")
    login.get_by_role("button", name="登录").click()
    expect(login.get_by_role("status")).to_contain_text("您已登录", timeout=WAIT)
    expect(page.locator("#login-status")).to_have_text("已登录：demo")  # the host page knows
    page.screenshot(path=shots / "1-logged-in-in-the-widget.png")

    widget.say("帮我开一张发票")
    expect(widget.message("bot", "请问要开哪种发票")).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots / "2-issuing-after-login.png")


def _issued(api: httpx.Client, kind: str) -> str:
    line = {"name": "培训费", "quantity": "1", "unit_price": "1060", "tax_rate": "6%"}
    body = {"kind": kind, "buyer": {"name": "李娜"}, "lines": [{**line, "tax_included": True}]}
    issued = api.post("/invoices", json=body)
    assert issued.status_code == 201, issued.text
    return str(issued.json()["number"])


def test_a_paper_invoice_is_voided_and_a_digital_one_red_lettered_instead(
    stack: Stack, page: Page, api: httpx.Client, shots: Path
) -> None:
    paper, digital = _issued(api, "paper_general"), _issued(api, "digital_general")
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)

    widget.say(f"作废{paper}")
    expect(widget.message("bot", "作废原因")).to_be_visible(timeout=WAIT)
    widget.say("金额开错了")
    page.get_by_role("button", name="确认作废").last.click()
    voided = page.locator('[data-card="invoice"]', has_text=paper).last
    expect(voided).to_contain_text("已作废", timeout=WAIT)

    # Refused as soon as it is found, in the app's words, with the red-letter offer.
    widget.say(f"作废{digital}")
    expect(widget.message("bot", "不能作废")).to_be_visible(timeout=WAIT)
    page.get_by_role("button", name="开红字发票").last.click()
    page.get_by_role("button", name="开票有误").last.click()
    page.get_by_role("button", name="确认红冲").last.click()
    red = page.locator('[data-card="invoice"].kp-red').last
    expect(red).to_contain_text("红字发票（负数）", timeout=WAIT)
    expect(red).to_contain_text(digital)  # 冲销的蓝字发票
    card, mark = red.bounding_box(), red.locator(".kp-red-mark").bounding_box()
    assert card is not None and mark is not None
    assert card["y"] <= mark["y"] <= card["y"] + card["height"]  # the mark is on the card
    expect(widget.messages).not_to_contain_text("/affirm")
    page.screenshot(path=shots / "1-void-and-red-letter.png")
    assert api.get(f"/invoices/{paper}").json()["status"] == "voided"
    assert api.get(f"/invoices/{digital}").json()["status"] == "red_flushed"


def test_a_reload_in_the_middle_of_a_form_goes_on_where_it_stopped(
    stack: Stack, page: Page, shots: Path
) -> None:
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)
    widget.say("开一张数电普票")
    expect(widget.message("bot", "购买方")).to_be_visible(timeout=WAIT)
    widget.say("张三")
    expect(widget.message("bot", "开票项目")).to_be_visible(timeout=WAIT)

    page.reload()
    widget = Widget(page)
    expect(widget.message("bot", "开票项目")).to_be_visible(timeout=WAIT)
    widget.say("办公用品")
    widget.say("113")
    page.get_by_role("button", name="13%").last.click()
    draft = page.locator('[data-card="invoice_draft"]').last
    expect(_field(draft, "购买方")).to_have_text("张三", timeout=WAIT)
    expect(_field(draft, "项目")).to_have_text("办公用品")
    page.get_by_role("button", name="取消").last.click()
    expect(widget.message("bot", "已取消")).to_be_visible(timeout=WAIT)
    page.screenshot(path=shots / "1-form-after-reload.png")


def test_an_invoice_is_found_downloaded_and_the_month_summarised_in_words(
    stack: Stack,
    browser: Browser,
    api: httpx.Client,
    shots: Path,
) -> None:
    number = _issued(api, "digital_general")
    for viewport in (DESKTOP, PHONE):
        context = browser.new_context(
            viewport=viewport, is_mobile=viewport is PHONE, accept_downloads=True
        )
        page = context.new_page()
        log_in_as_demo(page, stack.app_url)
        widget = Widget(page)

        widget.say(f"查一下发票{number}")
        card = page.locator('[data-card="invoice"]', has_text=number).last
        expect(card).to_contain_text("已开具", timeout=WAIT)
        with page.expect_download() as download:
            card.get_by_role("button", name=f"下载发票 {number} 的 PDF").click()
        saved = shots / f"{number}.pdf"
        download.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF")

        widget.say("本月开票汇总")
        report = page.locator('[data-card="report"]').last
        expect(report).to_contain_text("按类型", timeout=WAIT)
        expect(report).to_contain_text("数电发票（普通发票）")
        for raw in ("digital_general", "red_flushed", "voided", "paper_general"):
            expect(report).not_to_contain_text(raw)
        name = "desktop" if viewport is DESKTOP else "phone"
        page.screenshot(path=shots / f"{name}-summary.png")
        context.close()
