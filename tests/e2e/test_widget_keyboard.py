"""The widget by keyboard alone: Escape closes the open panel, the launcher opens it again."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from bench.stack import app_server, free_port, prepare

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_escape_closes_the_widget_and_gives_the_focus_back_to_the_launcher(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the app runs: opening and closing the panel needs no bot.
    monkeypatch.setenv("RASA_PORT", str(free_port()))
    monkeypatch.setenv("ACTION_PORT", str(free_port()))
    database_url = f"sqlite:///{tmp_path / 'app.db'}"
    prepare(database_url)
    with app_server(database_url, tmp_path) as (base, _server):
        page = browser.new_page()
        page.goto(base)
        panel = page.locator("#kp-panel")
        page.get_by_role("button", name="打开在线客服").click()
        expect(panel).to_be_visible()
        expect(page.get_by_label("输入消息")).to_be_focused()

        page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        launcher = page.get_by_role("button", name="打开在线客服")
        expect(launcher).to_be_focused()
        expect(launcher).to_have_attribute("aria-expanded", "false")

        # Back in by keyboard too: the focused launcher opens the panel with Enter.
        page.keyboard.press("Enter")
        expect(panel).to_be_visible()
        expect(page.get_by_label("输入消息")).to_be_focused()
        page.close()
