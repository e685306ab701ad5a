"""The two pages people use, as tests drive them: the widget on the demo page and the console."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect

WAIT = 30_000
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}


@contextmanager
def user_and_agent(
    browser: Browser, viewport: ViewportSize, **options: Any
) -> Iterator[tuple[Page, Page]]:
    """The user's page (desktop or phone) and the agent's console page, in their own
    contexts (the options go to both)."""
    user = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE, **options)
    agent = browser.new_context(viewport=DESKTOP, **options)
    try:
        yield user.new_page(), agent.new_page()
    finally:
        user.close()
        agent.close()


def log_in_as_demo(page: Page, app_url: str) -> None:
    """The demo page, signed in as the demo clerk with the page's own form."""
    page.goto(app_url)
    page.get_by_label("密码").fill("Demo@2026!")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("status").first).to_have_text("已登录：demo", timeout=WAIT)


class Widget:
    """The user's side: the demo page with the widget open."""

    def __init__(self, page: Page) -> None:
        self.page = page
        page.get_by_role("button", name="打开在线客服").click()

    @property
    def messages(self) -> Locator:
        """The conversation as the widget lists it."""
        return self.page.get_by_role("list", name="对话记录")

    def say(self, text: str) -> None:
        self.page.get_by_label("输入消息").fill(text)
        self.page.get_by_role("button", name="发送").click()

    def message(self, role: str, text: str) -> Locator:
        return self.page.locator(f".kp-msg.kp-{role}", has_text=text).last


class Console:
    """The agent's side: /console, logged in."""

    def __init__(
        self, page: Page, app_url: str, who: tuple[str, str, str] = ("agent", "Agent@2026!", "小王")
    ) -> None:
        """Log in as `who`: (user name, password, display name)."""
        self.page = page
        username, password, shown = who
        page.goto(f"{app_url}/console")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page.locator("#me")).to_contain_text(shown, timeout=WAIT)

    def open_from_queue(self, text: str) -> None:
        entry = (
            self.page.get_by_role("list", name="排队中的会话")
            .get_by_role("button")
            .filter(has_text=text)
        )
        # The queue is oldest first: the newest match is this test's own conversation,
        # whatever other tests on the shared stack left waiting.
        expect(entry.last).to_contain_text("已等待", timeout=WAIT)
        entry.last.click()

    def reply(self, text: str) -> None:
        self.page.get_by_label("回复内容").fill(text)
        self.page.get_by_role("button", name="发送").click()
