"""A message the chat rate limit refuses stays in the widget and goes again when allowed."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from bench.stack import app_server, free_port, prepare
from channels.conversations.tables import messages
from invoicing_core.persistence import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_a_message_refused_by_the_rate_limit_is_sent_again_by_the_widget(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One message per 3 seconds; nothing listens where Rasa would (the bot is not needed).
    monkeypatch.setenv("RATE_LIMIT_CHAT", "1/3 seconds")
    monkeypatch.setenv("RASA_PORT", str(free_port()))
    monkeypatch.setenv("ACTION_PORT", str(free_port()))
    database_url = f"sqlite:///{tmp_path / 'app.db'}"
    prepare(database_url)
    with app_server(database_url, tmp_path) as (base, _server):
        page = browser.new_page()
        page.goto(base)
        page.get_by_role("button", name="打开在线客服").click()
        for text in ("第一条", "第二条"):
            page.get_by_label("输入消息").fill(text)
            page.get_by_role("button", name="发送").click()

        expect(page.get_by_role("alert").filter(has_text="请求过于频繁")).to_be_visible()
        sent_again = page.locator(".kp-msg.kp-user:not(.kp-pending)", has_text="第二条")
        expect(sent_again).to_be_visible(timeout=15_000)
        expect(page.locator(".kp-pending")).to_have_count(0)
        page.close()

    engine = make_engine(database_url)
    with engine.connect() as connection:
        stored = connection.execute(
            select(func.count()).select_from(messages).where(messages.c.text == "第二条")
        ).scalar_one()
    engine.dispose()
    assert stored == 1
