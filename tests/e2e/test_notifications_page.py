"""The notifications page in Chromium (desktop and phone): the demo user logs in, chooses
email for risk alerts and quiet hours, and sees the notification of their left message,
which an agent marked done. Screenshots of each step are kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import DESKTOP, PHONE
from tests.e2e.tickets import leave_a_message_answered_by_an_agent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 60_000
# The stack's watcher looks every 2 s (tests/e2e/conftest.py) and the page every 15 s.
NOTIFIED_WITHIN = 60_000


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    viewport = DESKTOP if request.param == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Page, artefacts: Path, name: str) -> None:
    path = artefacts / f"notifications-{name}-{page.viewport_name}.png"  # type: ignore[attr-defined]
    page.screenshot(path=path, full_page=True)


def test_the_demo_user_sets_their_notifications_and_sees_one(
    page: Page, stack: Stack, demo_token: str, artefacts: Path
) -> None:
    page.goto(f"{stack.app_url}/notifications")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill("Demo@2026!")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_label("风险预警：站内")).to_be_checked(timeout=WAIT)
    shot(page, artefacts, "defaults")

    page.get_by_label("风险预警：邮件").check()
    page.get_by_label("开启").check()
    page.get_by_label("从").fill("22:00")
    page.get_by_label("到").fill("08:00")
    page.get_by_role("button", name="保存设置").click()
    expect(page.locator("#settings-status")).to_have_text("已保存。", timeout=WAIT)
    page.reload()
    expect(page.get_by_label("风险预警：邮件")).to_be_checked(timeout=WAIT)
    expect(page.get_by_label("从")).to_have_value("22:00")
    shot(page, artefacts, "saved")

    text = f"请问红字发票怎么开？{uuid.uuid4().hex[:6]}"
    leave_a_message_answered_by_an_agent(stack, demo_token, text)
    item = page.locator("#list li", has_text=text[-6:])
    expect(item).to_contain_text("您的留言已处理", timeout=NOTIFIED_WITHIN)
    shot(page, artefacts, "notified")
    item.get_by_role("button", name="标为已读").click()
    expect(page.locator("#list li", has_text=text[-6:]).get_by_role("button")).to_have_count(0)


def test_quiet_hours_read_in_24_hour_time_in_an_english_browser_on_a_phone(
    browser: Browser, stack: Stack, demo_token: str, artefacts: Path
) -> None:
    context = browser.new_context(viewport=PHONE, locale="en-US", is_mobile=True)
    page = context.new_page()
    page.viewport_name = "phone-en"  # type: ignore[attr-defined]
    headers = {"Authorization": f"Bearer {demo_token}"}
    settings_url = f"{stack.app_url}/api/v1/notification-settings"
    before = httpx.get(settings_url, headers=headers, timeout=30).json()
    page.goto(f"{stack.app_url}/notifications")
    page.get_by_label("用户名").fill("demo")
    page.get_by_label("密码").fill("Demo@2026!")
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.get_by_label("风险预警：站内")).to_be_visible(timeout=WAIT)

    # The legend stays one short line above the hint, not across the fieldset's border.
    legend = page.locator("fieldset.quiet legend").bounding_box()
    hint = page.locator("#quiet-hint").bounding_box()
    assert legend is not None and hint is not None
    assert legend["y"] + legend["height"] <= hint["y"]
    assert legend["height"] < 2 * 17  # one line

    page.get_by_label("开启").check()
    page.get_by_label("从").fill("25:00")
    page.get_by_label("到").fill("0730")
    page.get_by_role("button", name="保存设置").click()
    status = page.locator("#settings-status")
    expect(status).to_have_text("开始时间：时间应写作“时:分”，例如 22:00。", timeout=WAIT)
    expect(page.get_by_label("从")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("到")).to_have_value("07:30")  # typed without the colon
    assert httpx.get(settings_url, headers=headers, timeout=30).json() == before
    shot(page, artefacts, "bad-time")

    page.get_by_label("从").fill("2230")
    page.get_by_role("button", name="保存设置").click()
    expect(status).to_have_text("已保存。", timeout=WAIT)
    page.reload()
    expect(page.get_by_label("从")).to_have_value("22:30", timeout=WAIT)
    expect(page.get_by_label("到")).to_have_value("07:30")
    shot(page, artefacts, "24-hour")
    context.close()
