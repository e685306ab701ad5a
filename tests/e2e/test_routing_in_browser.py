"""Routing by topic in the browser: a supervisor sets skills in the console, a user's
handoff carries the topic of what they were doing or the one they pick from the menu.

Real Chromium against the real stack (app, Rasa, actions); the stack's auto-assignment
is off, so the topics are seen in the queue. Skills are cleared afterwards: other tests
share the stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, ViewportSize, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import DESKTOP, PHONE, WAIT, Console, Widget, log_in_as_demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
SUPERVISOR = ("supervisor", "Supervisor@2026!", "李主管")


@pytest.fixture
def skills_cleared(stack: Stack) -> Iterator[None]:
    """Every agent's skills are empty again after the test."""
    yield
    login = {"username": SUPERVISOR[0], "password": SUPERVISOR[1]}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    known = httpx.get(f"{stack.app_url}/api/v1/agent/skills", headers=headers).json()["items"]
    for agent in known:
        url = f"{stack.app_url}/api/v1/agent/agents/{agent['username']}/skills"
        assert httpx.put(url, json={"skills": []}, headers=headers).status_code == 200


@pytest.mark.usefixtures("skills_cleared")
def test_a_supervisor_sets_skills_and_handoffs_carry_their_topic(
    stack: Stack, browser: Browser, shots: Path
) -> None:
    contexts: list[BrowserContext] = []

    def page(viewport: ViewportSize) -> Page:
        context = browser.new_context(viewport=viewport, is_mobile=viewport is PHONE)
        contexts.append(context)
        return context.new_page()

    try:
        Console(page(DESKTOP), stack.app_url)  # 小王 has opened the console
        supervisor = Console(page(DESKTOP), stack.app_url, SUPERVISOR).page
        supervisor.get_by_role("button", name="客服技能").click()
        dialog = supervisor.get_by_role("dialog", name="客服技能")
        dialog.get_by_role("checkbox", name="小王 开票操作").check()
        expect(dialog.get_by_role("status")).to_have_text("已保存 小王 的技能", timeout=WAIT)
        supervisor.screenshot(path=shots / "1-skills.png")
        dialog.get_by_role("button", name="关闭").click()

        # A clerk in the middle of issuing asks for a person: the topic is 开票操作.
        clerk = page(DESKTOP)
        log_in_as_demo(clerk, stack.app_url)
        widget = Widget(clerk)
        widget.say("帮我开一张发票")
        expect(widget.message("bot", "请问要开哪种发票")).to_be_visible(timeout=WAIT)
        widget.say("转人工")
        expect(clerk.locator(".kp-status")).to_have_text("正在为您转接人工客服…", timeout=WAIT)
        # No menu for them: the topic came from the task.
        expect(widget.message("system", "请选择您的问题类型")).to_have_count(0)
        queue = supervisor.get_by_role("list", name="排队中的会话")
        entry = queue.get_by_role("button").filter(has_text="demo").filter(has_text="开票操作")
        expect(entry.last).to_be_visible(timeout=WAIT)

        # A visitor on a phone asks for a person straight away: they pick the topic.
        visitor = page(PHONE)
        visitor.goto(stack.app_url)
        phone_widget = Widget(visitor)
        phone_widget.say("转人工")
        expect(phone_widget.message("system", "请选择您的问题类型")).to_be_visible(timeout=WAIT)
        visitor.screenshot(path=shots / "2-phone-menu.png")
        visitor.get_by_role("button", name="政策咨询").last.click()
        expect(phone_widget.message("system", "已记录您的问题类型：政策咨询")).to_be_visible(
            timeout=WAIT
        )
        visitor.screenshot(path=shots / "3-phone-topic-chosen.png")
        expect(queue.get_by_role("button").filter(has_text="政策咨询").last).to_be_visible(
            timeout=WAIT
        )
        queue.get_by_role("button").filter(has_text="政策咨询").last.click()
        expect(supervisor.locator("#conversation-title")).to_contain_text("政策咨询", timeout=WAIT)
        supervisor.screenshot(path=shots / "4-queue-with-topics.png")
    finally:
        for context in contexts:
            context.close()
