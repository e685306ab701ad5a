"""你好 travels through the app to a real Rasa model and back."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

DOMAIN = Path(__file__).resolve().parents[2] / "bot" / "domain.yml"


def greetings() -> list[str]:
    """The greeting texts of the bot's domain, the only place they are written."""
    responses = yaml.safe_load(DOMAIN.read_text(encoding="utf-8"))["responses"]
    return [variant["text"] for variant in responses["utter_greet"]]


def test_every_part_of_the_stack_reports_healthy(stack: Stack) -> None:
    body = httpx.get(f"{stack.app_url}/healthz").json()
    assert body == {
        "status": "ok",
        "app": "up",
        "database": "up",
        "rasa": "up",
        "action_server": "up",
    }


def test_hello_gets_a_greeting_from_rasa(stack: Stack) -> None:
    response = httpx.post(f"{stack.app_url}/api/v1/chat", json={"message": "你好"}, timeout=30)

    assert response.status_code == 200
    body = response.json()
    assert body["state"] == "bot"
    assert [m["role"] for m in body["messages"]] == ["bot"]
    assert body["messages"][0]["text"] in greetings()


def test_a_conversation_continues_under_its_id(stack: Stack) -> None:
    first = httpx.post(f"{stack.app_url}/api/v1/chat", json={"message": "你好"}, timeout=30).json()
    second = httpx.post(
        f"{stack.app_url}/api/v1/chat",
        json={"message": "再见", "conversation_id": first["conversation_id"]},
        timeout=30,
    ).json()
    assert second["conversation_id"] == first["conversation_id"]
    assert second["messages"][0]["text"] not in greetings()


@pytest.mark.browser
def test_the_demo_page_shows_rasas_greeting(stack: Stack, browser: Browser) -> None:
    page = browser.new_page()
    page.goto(stack.app_url)
    page.get_by_role("button", name="打开在线客服").click()
    page.get_by_label("输入消息").fill("你好")
    page.get_by_role("button", name="发送").click()

    reply = page.locator(".kp-msg.kp-bot").first
    expect(reply).to_have_text(greetings()[0], timeout=30_000)
    page.close()
