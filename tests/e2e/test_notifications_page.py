"""The notifications page in Chromium (desktop and phone): the demo user logs in, chooses
email for risk alerts and quiet hours, and sees the notification of their left message,
which an agent marked done. Screenshots of each step are kept."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from websockets.sync.client import connect

from tests.e2e.conftest import Stack
from tests.e2e.pages import DESKTOP, PHONE

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


def leave_a_message_answered_by_an_agent(stack: Stack, demo_token: str, text: str) -> None:
    """The demo user leaves a message in the widget; an agent marks it done."""
    url = stack.app_url.replace("http://", "ws://") + "/ws/chat"
    with connect(url, open_timeout=30) as socket:
        socket.send(json.dumps({"type": "hello", "token": demo_token}))
        assert json.loads(socket.recv(timeout=30))["type"] == "welcome"
        socket.send(json.dumps({"type": "ticket", "text": text, "contact": "demo"}))
        while (frame := json.loads(socket.recv(timeout=30)))["type"] != "ticket":
            assert frame["type"] != "error", frame
    ticket_id = frame["id"]
    login = {"username": "agent", "password": "Agent@2026!"}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    closed = httpx.post(
        f"{stack.app_url}/api/v1/agent/tickets/{ticket_id}/close", headers=headers, timeout=30
    )
    assert closed.status_code == 200, closed.text


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
