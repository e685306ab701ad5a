"""System notices in the browser, on the real stack: a notice and an upcoming maintenance
window show as a banner in the widget (desktop and phone) and in the agent console; during
a maintenance window the widget's message is kept and the user told when service resumes,
and when the window is withdrawn the bot answers it. Screenshots of each are kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import WAIT, Console, Widget, log_in_as_demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SUPERVISOR = ("supervisor", "Supervisor@2026!", "李主管")
# Each app worker looks for kept messages every NOTICE_CHECK_EVERY_SECONDS (5 s by default).
ANSWERED_WITHIN = 60_000


@pytest.fixture
def supervisor(stack: Stack) -> Iterator[httpx.Client]:
    """The API as the demo supervisor; every notice it scheduled is withdrawn afterwards."""
    login = {"username": SUPERVISOR[0], "password": SUPERVISOR[1]}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30)
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    with httpx.Client(base_url=f"{stack.app_url}/api/v1", headers=headers, timeout=30) as api:
        yield api
        for notice in api.get("/notices").json()["items"]:
            api.delete(f"/notices/{notice['id']}")


def schedule(api: httpx.Client, text: str, start: float, end: float, **more: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    body = {
        "text": text,
        "starts_at": (now + timedelta(seconds=start)).isoformat(),
        "ends_at": (now + timedelta(seconds=end)).isoformat(),
        **more,
    }
    response = api.post("/notices", json=body)
    assert response.status_code == 201, response.text
    notice: dict[str, Any] = response.json()
    return notice


def test_notices_show_as_a_banner_in_the_widget_and_the_console(
    page: Page, stack: Stack, supervisor: httpx.Client, shots: Path
) -> None:
    mark = uuid.uuid4().hex[:4]
    schedule(supervisor, f"新版开票界面已上线，欢迎试用 {mark}", -60, 3600)
    schedule(supervisor, f"系统升级，期间暂停服务 {mark}", 7200, 10800, maintenance=True)

    log_in_as_demo(page, stack.app_url)
    Widget(page)
    banner = page.get_by_role("status", name="系统公告")
    expect(banner).to_be_visible(timeout=WAIT)
    expect(banner).to_contain_text(f"【系统公告】新版开票界面已上线，欢迎试用 {mark}")
    expect(banner).to_contain_text(f"【系统维护公告】系统升级，期间暂停服务 {mark}")
    expect(banner).to_contain_text("北京时间")
    page.screenshot(path=shots / "widget-banner.png")

    console = page.context.new_page()
    console.set_viewport_size({"width": 1280, "height": 860})
    Console(console, stack.app_url, SUPERVISOR)
    console_banner = console.get_by_role("status", name="系统公告")
    expect(console_banner).to_contain_text(f"【系统维护公告】系统升级，期间暂停服务 {mark}")
    console.screenshot(path=shots / "console-banner.png")


def test_a_message_during_maintenance_is_kept_and_answered_when_the_window_ends(
    page: Page, stack: Stack, supervisor: httpx.Client, shots: Path
) -> None:
    window = schedule(supervisor, "系统升级维护", -1, 600, maintenance=True)
    page.goto(stack.app_url)
    widget = Widget(page)
    expect(page.locator(".kp-banner-now")).to_contain_text("【系统维护公告】系统升级维护")
    widget.say("忘记密码怎么办")
    told = widget.message("system", "系统维护中")
    expect(told).to_contain_text("恢复，您的消息已保存，恢复后将为您处理。", timeout=WAIT)
    page.screenshot(path=shots / "kept.png")

    assert supervisor.delete(f"/notices/{window['id']}").status_code == 204
    expect(widget.message("bot", "忘记密码")).to_be_visible(timeout=ANSWERED_WITHIN)
    expect(page.locator(".kp-msg.kp-bot", has_text="忘记密码")).to_have_count(1)
    page.screenshot(path=shots / "answered.png")
