"""The widget shows a new in-app notification live while its user is logged in (desktop and
phone): with the panel closed the launcher's badge counts it, and opening the panel shows it.
Screenshots of both are kept."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import WAIT, log_in_as_demo
from tests.e2e.tickets import leave_a_message_answered_by_an_agent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
# The stack's watcher looks every 2 s (tests/e2e/conftest.py), its sender every 5 s.
NOTIFIED_WITHIN = 60_000


def test_a_new_notification_shows_in_the_logged_in_users_widget_live(
    page: Page, stack: Stack, demo_token: str, shots: Path
) -> None:
    log_in_as_demo(page, stack.app_url)
    launcher = page.get_by_role("button", name="打开在线客服")
    # Opened once: the logged-in socket has said welcome, so it is listening.
    launcher.click()
    expect(page.locator(".kp-intro")).to_be_visible(timeout=WAIT)
    page.keyboard.press("Escape")
    expect(page.locator("#kp-panel")).to_be_hidden()

    mark = uuid.uuid4().hex[:6]
    leave_a_message_answered_by_an_agent(stack, demo_token, f"发票怎么红冲？{mark}")
    expect(page.locator(".kp-badge")).to_be_visible(timeout=NOTIFIED_WITHIN)
    page.screenshot(path=shots / "badge.png")

    launcher.click()
    notice = page.locator(".kp-notice", has_text=mark)
    expect(notice).to_contain_text("新通知：您的留言已处理")
    expect(notice).to_contain_text(f"您的留言“发票怎么红冲？{mark}”已由客服处理完毕。")
    expect(notice.get_by_role("link", name="查看全部通知")).to_have_attribute(
        "href", f"{stack.app_url}/notifications"
    )
    page.screenshot(path=shots / "notice.png")
