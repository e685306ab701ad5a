"""A user asks for a human in the widget; an agent claims, answers, hands back or closes.

Two browser contexts in real Chromium against the real stack (app, Rasa, actions):
the user's page with the embedded widget and the agent's console. Screenshots of
each step are kept as test artefacts.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 30_000
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


class Widget:
    """The user's side: the demo page with the widget open."""

    def __init__(self, page: Page) -> None:
        self.page = page
        page.get_by_role("button", name="打开在线客服").click()

    def say(self, text: str) -> None:
        self.page.get_by_label("输入消息").fill(text)
        self.page.get_by_role("button", name="发送").click()

    def message(self, role: str, text: str) -> object:
        return self.page.locator(f".kp-msg.kp-{role}", has_text=text).last


class Console:
    """The agent's side: /console, logged in."""

    def __init__(self, page: Page, app_url: str) -> None:
        self.page = page
        page.goto(f"{app_url}/console")
        page.get_by_label("用户名").fill("agent")
        page.get_by_label("密码").fill("Agent@2026!")
        page.get_by_role("button", name="登录").click()
        expect(page.locator("#me")).to_contain_text("小王", timeout=WAIT)

    def open_from_queue(self, text: str) -> None:
        entry = self.page.get_by_role("list", name="排队中的会话").get_by_role("button").filter(
            has_text=text
        )
        # The queue is oldest first: the newest match is this test's own conversation,
        # whatever other tests on the shared stack left waiting.
        expect(entry.last).to_contain_text("已等待", timeout=WAIT)
        entry.last.click()

    def reply(self, text: str) -> None:
        self.page.get_by_label("回复内容").fill(text)
        self.page.get_by_role("button", name="发送").click()


@pytest.fixture
def pages(browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, Page]]:
    """The user's page (desktop or phone) and the agent's page, in separate contexts."""
    viewport = request.param
    user = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE)
    agent = browser.new_context(viewport=DESKTOP)
    try:
        yield user.new_page(), agent.new_page()
    finally:
        user.close()
        agent.close()


def _folder(artefacts: Path, name: str) -> Path:
    folder = artefacts / name
    folder.mkdir(exist_ok=True)
    return folder


def _hand_over(
    stack: Stack, user_page: Page, agent_page: Page, shots: Path
) -> tuple[Widget, Console]:
    user_page.goto(stack.app_url)
    widget = Widget(user_page)
    widget.say("你好")
    expect(user_page.locator(".kp-msg.kp-bot").first).to_be_visible(timeout=WAIT)
    widget.say("转人工")
    expect(user_page.locator(".kp-status")).to_have_text("正在为您转接人工客服…", timeout=WAIT)
    user_page.screenshot(path=shots / "1-user-waiting.png")

    console = Console(agent_page, stack.app_url)
    console.open_from_queue("转人工")
    transcript = agent_page.get_by_role("list", name="会话记录")
    expect(transcript).to_contain_text("你好", timeout=WAIT)
    expect(transcript).to_contain_text("智能助手")  # the bot's part before the handoff
    agent_page.get_by_role("button", name="接入").click()
    expect(widget.message("system", "人工客服 小王 已接入")).to_be_visible(timeout=WAIT)

    widget.say("<b>发票</b>开错了<script>window.hacked=1</script>")
    expect(transcript).to_contain_text("<b>发票</b>开错了", timeout=WAIT)
    assert agent_page.locator("#transcript b").count() == 0
    assert user_page.locator(".kp-messages b").count() == 0
    console.reply("您好，我是小王，我来帮您处理")
    expect(widget.message("agent", "我来帮您处理")).to_contain_text("人工客服 小王", timeout=WAIT)
    assert not user_page.evaluate("window.hacked === 1")
    user_page.screenshot(path=shots / "2-user-with-agent.png")
    agent_page.screenshot(path=shots / "3-console.png")
    return widget, console


@pytest.mark.parametrize("pages", [DESKTOP], indirect=True, ids=["desktop"])
def test_an_agent_takes_over_in_the_console_and_hands_back_to_the_bot(
    stack: Stack, pages: tuple[Page, Page], artefacts: Path
) -> None:
    user_page, agent_page = pages
    shots = _folder(artefacts, "handoff-desktop")
    widget, _ = _hand_over(stack, user_page, agent_page, shots)

    agent_page.get_by_role("button", name="交还机器人").click()
    expect(widget.message("system", "继续与智能助手对话")).to_be_visible(timeout=WAIT)
    bot_messages = user_page.locator(".kp-msg.kp-bot").count()
    widget.say("你好")
    expect(user_page.locator(".kp-msg.kp-bot")).to_have_count(bot_messages + 1, timeout=WAIT)
    user_page.screenshot(path=shots / "4-user-back-with-bot.png")


@pytest.mark.parametrize("pages", [PHONE], indirect=True, ids=["phone"])
def test_on_a_phone_the_agent_closes_and_the_user_rates(
    stack: Stack, pages: tuple[Page, Page], artefacts: Path
) -> None:
    user_page, agent_page = pages
    shots = _folder(artefacts, "handoff-phone")
    widget, _ = _hand_over(stack, user_page, agent_page, shots)
    panel = user_page.get_by_role("dialog", name="开票助手")
    assert panel.bounding_box()["width"] == PHONE["width"]  # type: ignore[index]

    agent_page.get_by_role("button", name="结束会话").click()
    expect(widget.message("system", "请为本次服务打分")).to_be_visible(timeout=WAIT)
    user_page.get_by_role("button", name="评 5 分").click()
    expect(widget.message("system", "感谢您的评价（5 分）")).to_be_visible(timeout=WAIT)
    user_page.screenshot(path=shots / "4-user-rated.png")


@pytest.mark.parametrize("pages", [DESKTOP], indirect=True, ids=["desktop"])
def test_a_reload_shows_the_conversation_again_without_duplicates(
    stack: Stack, pages: tuple[Page, Page]
) -> None:
    user_page, _ = pages
    user_page.goto(stack.app_url)
    widget = Widget(user_page)
    widget.say("重新加载前的问题")
    expect(user_page.locator(".kp-msg.kp-bot").first).to_be_visible(timeout=WAIT)
    before = user_page.locator(".kp-msg").all_inner_texts()

    user_page.reload()
    Widget(user_page)
    expect(user_page.locator(".kp-msg")).to_have_count(len(before), timeout=WAIT)
    assert user_page.locator(".kp-msg").all_inner_texts() == before
