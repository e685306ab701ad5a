"""Finding invoices: "刚开的那张" shows the newest one; an app that does not answer is said."""

from __future__ import annotations

import pytest
from actions.query import ActionQueryInvoice
from served_app import App, free_port
from talk import Talk, cards, fields, slot_events, texts


def test_the_last_invoice_is_shown_and_becomes_the_one_in_view(talk: Talk, app: App) -> None:
    number = app.issue("digital_general", "张三", "咨询费", "318", "6%")
    talk.user("查一下刚开的那张", "query_invoice")

    events, replies = talk.act(ActionQueryInvoice())

    assert texts(replies) == f"发票{number}：已开具，价税合计318.00元。"
    [card] = cards(replies, "invoice")
    assert (card["number"], fields(card)["发票类型"]) == (number, "数电发票（普通发票）")
    assert slot_events(events) == {"current_invoice": number}


def test_an_app_that_does_not_answer_is_said_in_the_bots_words(
    talk: Talk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_URL", f"http://127.0.0.1:{free_port()}")
    talk.user("查一下刚开的那张", "query_invoice")

    _, replies = talk.act(ActionQueryInvoice())

    assert texts(replies) == "开票系统暂时无法访问，请稍后再试或联系人工客服。"
