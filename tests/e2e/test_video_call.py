"""A video call and a screen share between the demo user's widget and the agent's console.

Real Chromium with a fake camera, microphone and screen (and no permission prompts),
against the real stack: both sides must decode video frames (RTCPeerConnection's
getStats), hang up, and the conversation keeps the call as events and a system line.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import Stack, launched_chromium
from tests.e2e.pages import DESKTOP, PHONE, WAIT, Console, Widget, log_in_as_demo, user_and_agent

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
FAKE_MEDIA = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"]
FRAMES_DECODED = """async () => {
  const pc = window.KaipiaoCall && window.KaipiaoCall.last;
  if (!pc) { return 0; }
  let frames = 0;
  (await pc.getStats()).forEach((r) => {
    if (r.type === "inbound-rtp" && r.kind === "video") { frames += r.framesDecoded || 0; }
  });
  return frames;
}"""
# Most phone browsers have no getDisplayMedia: the phone test takes it away.
NO_SCREEN_SHARING = "delete MediaDevices.prototype.getDisplayMedia;"


@pytest.fixture(scope="module")
def call_browser() -> Iterator[Browser]:
    """The tests' Chromium with a fake camera, microphone and screen."""
    yield from launched_chromium(*FAKE_MEDIA)


@pytest.fixture
def pages(call_browser: Browser, request: pytest.FixtureRequest) -> Iterator[tuple[Page, Page]]:
    """The demo user's page (desktop or phone) and the agent's console page."""
    granted = ["camera", "microphone"]
    with user_and_agent(call_browser, request.param, permissions=granted) as (user, agent):
        if request.param is PHONE:
            user.context.add_init_script(NO_SCREEN_SHARING)
        yield user, agent


def _frames_decoded(page: Page, seconds: float = 30) -> int:
    """Video frames the page's call has decoded, once there are some."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        frames: int = page.evaluate(FRAMES_DECODED)
        if frames > 0:
            return frames
        page.wait_for_timeout(250)
    raise AssertionError("no video frames decoded")


def _handed_over(stack: Stack, user_page: Page, agent_page: Page) -> tuple[Widget, Console]:
    log_in_as_demo(user_page, stack.app_url)
    widget = Widget(user_page)
    widget.say("转人工")
    expect(user_page.locator(".kp-status")).to_have_text("正在为您转接人工客服…", timeout=WAIT)
    console = Console(agent_page, stack.app_url)
    console.open_from_queue("转人工")
    agent_page.get_by_role("button", name="接入").click()
    expect(widget.message("system", "人工客服 小王 已接入")).to_be_visible(timeout=WAIT)
    return widget, console


def _video_call(user_page: Page, agent_page: Page, shots: Path) -> None:
    """The agent calls, the user accepts, both see each other, the agent hangs up."""
    agent_page.get_by_role("button", name="视频通话").click()
    expect(user_page.get_by_role("status").filter(has_text="邀请您视频通话")).to_be_visible(
        timeout=WAIT
    )
    user_page.screenshot(path=shots / "1-user-invited.png")
    user_page.get_by_role("button", name="接受").click()
    assert _frames_decoded(user_page) > 0
    assert _frames_decoded(agent_page) > 0
    expect(agent_page.locator(".kp-call-status")).to_contain_text("视频通话中", timeout=WAIT)
    user_page.get_by_role("button", name="静音").click()
    expect(user_page.get_by_role("button", name="取消静音")).to_be_visible()
    agent_page.get_by_role("button", name="关闭摄像头").click()
    expect(agent_page.get_by_role("button", name="打开摄像头")).to_be_visible()
    user_page.screenshot(path=shots / "2-user-in-call.png")
    agent_page.screenshot(path=shots / "3-console-in-call.png")

    agent_page.get_by_role("button", name="挂断").click()
    ended = "视频通话已结束，时长"
    expect(user_page.locator(".kp-msg.kp-system", has_text=ended)).to_be_visible(timeout=WAIT)
    expect(agent_page.get_by_role("list", name="会话记录")).to_contain_text(ended, timeout=WAIT)
    expect(user_page.get_by_role("button", name="挂断")).to_have_count(0)
    user_page.screenshot(path=shots / "4-user-call-ended.png")


def _screen_share_asked_and_accepted(user_page: Page, agent_page: Page) -> None:
    agent_page.get_by_role("button", name="请客户共享屏幕").click()
    expect(user_page.get_by_role("status").filter(has_text="请您共享屏幕")).to_be_visible(
        timeout=WAIT
    )
    user_page.get_by_role("button", name="接受").click()


def _call_events(stack: Stack, user_page: Page) -> list[dict[str, Any]]:
    conversation_id = user_page.evaluate(
        "Object.keys(localStorage).filter((k) => k.endsWith('.conversation'))"
        ".map((k) => localStorage.getItem(k))[0]"
    )
    login = {"username": "agent", "password": "Agent@2026!"}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login, timeout=30).json()
    transcript = httpx.get(
        f"{stack.app_url}/api/v1/agent/conversations/{conversation_id}",
        headers={"Authorization": f"Bearer {token['access_token']}"},
        timeout=30,
    ).json()
    return [e for e in transcript["events"] if e["kind"].startswith("call_")]


@pytest.mark.parametrize("pages", [DESKTOP], indirect=True, ids=["desktop"])
def test_a_video_call_then_a_screen_share_between_the_widget_and_the_console(
    stack: Stack, pages: tuple[Page, Page], shots: Path
) -> None:
    user_page, agent_page = pages
    _handed_over(stack, user_page, agent_page)
    _video_call(user_page, agent_page, shots)

    _screen_share_asked_and_accepted(user_page, agent_page)
    assert _frames_decoded(agent_page) > 0
    expect(agent_page.locator(".kp-call-status")).to_contain_text("客户正在共享屏幕", timeout=WAIT)
    agent_page.screenshot(path=shots / "5-console-sees-the-screen.png")
    agent_page.get_by_role("button", name="全屏查看").click()
    box = agent_page.locator(".kp-call-remote").bounding_box()
    assert box is not None and box["height"] > DESKTOP["height"] * 0.7
    agent_page.screenshot(path=shots / "6-console-screen-full-window.png")
    agent_page.keyboard.press("Escape")
    expect(agent_page.get_by_role("button", name="全屏查看")).to_be_visible()

    user_page.get_by_role("button", name="停止共享").click()
    ended = "屏幕共享已结束，时长"
    expect(agent_page.get_by_role("list", name="会话记录")).to_contain_text(ended, timeout=WAIT)
    expect(user_page.locator(".kp-msg.kp-system", has_text=ended)).to_be_visible(timeout=WAIT)
    agent_page.screenshot(path=shots / "7-console-after-the-calls.png")

    events = _call_events(stack, user_page)
    assert [(e["kind"], e["actor"], e["detail"]["media"]) for e in events] == [
        ("call_started", "agent", "video"),
        ("call_ended", "agent", "video"),
        ("call_started", "agent", "screen"),
        ("call_ended", "user", "screen"),
    ]
    assert all(isinstance(e["detail"]["duration"], int) for e in events[1::2])


@pytest.mark.parametrize("pages", [PHONE], indirect=True, ids=["phone"])
def test_on_a_phone_the_widget_takes_a_video_call_and_says_it_cannot_share_the_screen(
    stack: Stack, pages: tuple[Page, Page], shots: Path
) -> None:
    user_page, agent_page = pages
    _handed_over(stack, user_page, agent_page)
    _video_call(user_page, agent_page, shots)

    _screen_share_asked_and_accepted(user_page, agent_page)
    expect(user_page.locator(".kp-msg.kp-error", has_text="不支持屏幕共享")).to_be_visible(
        timeout=WAIT
    )
    refused = "屏幕共享未接通：客户的浏览器不支持屏幕共享"
    expect(agent_page.get_by_role("list", name="会话记录")).to_contain_text(refused, timeout=WAIT)
    user_page.screenshot(path=shots / "5-user-no-screen-sharing.png")
    kinds = [(e["kind"], e["detail"]["media"]) for e in _call_events(stack, user_page)]
    assert kinds == [
        ("call_started", "video"),
        ("call_ended", "video"),
        ("call_ended", "screen"),
    ]
