"""The conversation store on a real database (SQLite, and PostgreSQL in CI)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from channels.conversations.model import ConversationState, Reply, Role
from channels.conversations.store import ConversationStore
from channels.web.errors import NotFound


@pytest.fixture
def store(engine: Engine) -> ConversationStore:
    return ConversationStore(engine)


def test_a_new_conversation_starts_with_the_bot(store: ConversationStore) -> None:
    conversation = store.open(None, "api")
    assert conversation.state is ConversationState.BOT
    assert store.open(conversation.id, "api") == conversation


def test_an_unknown_conversation_is_reported_with_its_field(store: ConversationStore) -> None:
    with pytest.raises(NotFound) as raised:
        store.open("00000000-0000-0000-0000-000000000000", "api")
    assert raised.value.field == "conversation_id"
    assert "会话不存在" in raised.value.message


def test_a_received_message_waits_undelivered_until_answered(store: ConversationStore) -> None:
    conversation = store.open(None, "api")
    inbound = store.receive(conversation.id, "你好")
    assert [m.text for m in store.undelivered(conversation.id)] == ["你好"]

    buttons = [{"title": "是", "payload": "/affirm"}]
    store.answer(inbound, [Reply("您好！", buttons=buttons, card={"number": "1"})], Role.BOT)

    assert store.undelivered(conversation.id) == []
    history = store.history(conversation.id)
    assert [(m.role, m.text) for m in history] == [(Role.USER, "你好"), (Role.BOT, "您好！")]
    assert history[1].buttons == buttons
    assert history[1].card == {"number": "1"}


def test_a_tapped_quick_reply_is_kept_under_its_title_and_sent_as_its_payload(
    store: ConversationStore,
) -> None:
    conversation = store.open(None, "api")
    asked = store.receive(conversation.id, "开票")
    download = '/download_invoice{"invoice_number": "1"}'
    buttons = [
        {"title": "确认开具", "payload": "/affirm"},
        {"title": "下载PDF", "payload": download},
    ]
    store.answer(asked, [Reply("信息无误请确认。", buttons=buttons)], Role.BOT)

    tapped = store.receive(conversation.id, "/affirm")
    resent, _ = store.receive_once(conversation.id, download, "client-1")
    typed = store.receive(conversation.id, "/deny")  # no such button was offered

    assert [(m.text, m.for_bot) for m in (tapped, resent, typed)] == [
        ("确认开具", "/affirm"),
        ("下载PDF", download),
        ("/deny", "/deny"),
    ]
    shown = [(m.text, m.for_bot) for m in store.history(conversation.id)][-3:]
    assert shown == [("确认开具", "/affirm"), ("下载PDF", download), ("/deny", "/deny")]


def test_history_returns_the_newest_messages_oldest_first(store: ConversationStore) -> None:
    conversation = store.open(None, "api")
    for text in ["一", "二", "三"]:
        store.receive(conversation.id, text)
    assert [m.text for m in store.history(conversation.id, limit=2)] == ["二", "三"]


def test_the_store_reports_a_reachable_database(store: ConversationStore) -> None:
    assert store.ping() is True


def test_the_replies_to_a_message_end_at_the_next_user_message(store: ConversationStore) -> None:
    conversation = store.open(None, "api")
    first = store.receive(conversation.id, "发票怎么作废")
    store.answer(first, [Reply("当月的纸质发票可以作废。"), Reply("要我帮您作废吗？")], Role.BOT)
    second = store.receive(conversation.id, "好的")
    store.answer(second, [Reply("请告诉我发票号码。")], Role.BOT)

    answered = ["当月的纸质发票可以作废。", "要我帮您作废吗？"]
    assert [m.text for m in store.replies_to(first)] == answered
    assert [m.text for m in store.replies_to(second)] == ["请告诉我发票号码。"]


def test_the_invoice_read_or_recorded_last_is_the_one_the_conversation_is_about(
    store: ConversationStore,
) -> None:
    conversation = store.open(None, "widget", "demo")
    number = "26422000000000012345"

    def answered(text: str, reply: Reply) -> dict[str, object] | None:
        store.answer(store.receive(conversation.id, text), [reply], Role.BOT)
        return store.open(conversation.id, "widget", "demo").last_received_invoice

    fields = {
        "kind": {"value": "digital_special"},
        "code": {"value": ""},
        "number": {"value": number},
    }
    read = Reply("", card={"type": "recognition", "id": "ab12", "fields": fields})
    about = {"kind": "digital_special", "code": None, "number": number}
    assert answered("上传发票：a.pdf", read) == {**about, "received_invoice_id": None}

    entry = {"type": "received_invoice", "id": 7, "kind": "digital_special", "code": None}
    recorded = Reply("", card={**entry, "number": number, "recognition_id": "ab12"})
    assert answered("录入收票台账", recorded) == {**about, "received_invoice_id": 7}

    # Other turns leave it; a recognition that read no number means no invoice in view.
    assert answered("你好", Reply("您好！", card={"type": "report"})) == {
        **about,
        "received_invoice_id": 7,
    }
    unread = Reply("", card={"type": "recognition", "id": "cd34", "fields": {}})
    assert answered("上传发票：b.jpg", unread) is None
