"""A maintenance window: the bot is not asked, every message is kept and the user told
when service resumes; when the window ends (or is withdrawn) the kept messages are
answered by the bot, in order, once, whichever worker gets to them."""

from __future__ import annotations

import time
from datetime import datetime

from sqlalchemy import Engine, inspect

from channels import migrations
from channels.conversations.store import ConversationStore
from channels.notices.board import NoticeBoard
from tests.integration.channels.conftest import AppFactory, bearer, log_in, wait_for
from tests.integration.channels.frames import hello, message_with, say, until
from tests.integration.channels.notices.conftest import SUPERVISOR, at, schedule

FAST = {"notice_check_every_seconds": 0.2}
RESUMES = "系统维护中，预计 "


def texts(engine: Engine, conversation_id: str) -> list[str]:
    return [m.text for m in ConversationStore(engine).history(conversation_id)]


def test_during_a_window_the_widget_is_told_when_service_resumes_and_answered_after_in_order(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client(**FAST)
    window = schedule(client, text="系统升级", starts_at=at(-1), ends_at=at(8), maintenance=True)
    with client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "第一个问题", "m-1")
        told = until(ws, message_with(RESUMES))["message"]
        assert told["role"] == "system"
        assert told["text"].endswith("恢复，您的消息已保存，恢复后将为您处理。")
        say(ws, "第二个问题", "m-2")
        until(ws, message_with(RESUMES))
        # Kept, not sent to the bot: no answer of the bot during the window.
        assert texts(engine, conversation_id) == [
            "第一个问题",
            told["text"],
            "第二个问题",
            told["text"],
        ]
        assert len(NoticeBoard(engine).kept(conversation_id)) == 2
        assert time.time() < _epoch(window["ends_at"])

        first = until(ws, message_with("机器人：第一个问题"), limit=200)
        second = until(ws, message_with("机器人：第二个问题"), limit=200)
        assert first["message"]["id"] < second["message"]["id"]
    assert _epoch(window["ends_at"]) <= time.time()
    time.sleep(1)  # a few more rounds of every worker: nothing is answered twice
    assert texts(engine, conversation_id)[4:] == ["机器人：第一个问题", "机器人：第二个问题"]
    assert NoticeBoard(engine).kept(conversation_id) == []


def test_the_chat_api_keeps_the_message_and_withdrawing_the_window_ends_it(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client(**FAST)
    window = schedule(client, text="升级", starts_at=at(-1), ends_at=at(3600), maintenance=True)
    turn = client.post("/api/v1/chat", json={"message": "发票怎么开"})
    assert turn.status_code == 200
    conversation_id = turn.json()["conversation_id"]
    [said] = turn.json()["messages"]
    assert said["role"] == "system" and said["text"].startswith(RESUMES)
    time.sleep(0.6)
    assert texts(engine, conversation_id) == ["发票怎么开", said["text"]]

    token = log_in(client, SUPERVISOR)
    assert (
        client.delete(f"/api/v1/notices/{window['id']}", headers=bearer(token)).status_code == 204
    )
    wait_for(lambda: "机器人：发票怎么开" in texts(engine, conversation_id))
    after = client.post(
        "/api/v1/chat", json={"conversation_id": conversation_id, "message": "谢谢"}
    )
    assert after.json()["messages"] == [{"role": "bot", "text": "机器人：谢谢"}]
    assert texts(engine, conversation_id) == [
        "发票怎么开",
        said["text"],
        "机器人：发票怎么开",
        "谢谢",
        "机器人：谢谢",
    ]


def test_a_message_after_the_window_is_answered_after_the_kept_ones_not_before(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client(notice_check_every_seconds=3600)  # no worker round comes first
    window = schedule(client, text="升级", starts_at=at(-1), ends_at=at(2), maintenance=True)
    kept = client.post("/api/v1/chat", json={"message": "维护时问的"}).json()
    conversation_id = kept["conversation_id"]
    time.sleep(max(0.0, _epoch(window["ends_at"]) - time.time()) + 0.2)

    body = {"conversation_id": conversation_id, "message": "维护后问的"}
    after = client.post("/api/v1/chat", json=body).json()
    assert [m["text"] for m in after["messages"]] == ["机器人：维护时问的", "机器人：维护后问的"]
    assert NoticeBoard(engine).kept(conversation_id) == []
    assert texts(engine, conversation_id)[2:] == [
        "维护后问的",
        "机器人：维护时问的",
        "机器人：维护后问的",
    ]


def test_two_workers_answer_the_kept_messages_once_in_order(
    make_client: AppFactory, engine: Engine
) -> None:
    first, second = make_client(**FAST), make_client(**FAST)
    schedule(first, text="升级", starts_at=at(-1), ends_at=at(6), maintenance=True)
    conversations = []
    for n in range(3):
        asked = first.post("/api/v1/chat", json={"message": f"问题{n}-1"}).json()
        conversation_id = asked["conversation_id"]
        body = {"conversation_id": conversation_id, "message": f"问题{n}-2"}
        assert second.post("/api/v1/chat", json=body).status_code == 200
        conversations.append(conversation_id)

    board = NoticeBoard(engine)
    wait_for(lambda: not any(board.kept(c) for c in conversations), seconds=20)
    time.sleep(0.5)  # a few more rounds of both workers: nothing is answered twice
    for n, conversation_id in enumerate(conversations):
        answers = [t for t in texts(engine, conversation_id) if t.startswith("机器人：")]
        assert answers == [f"机器人：问题{n}-1", f"机器人：问题{n}-2"]


def test_the_migration_goes_down_and_up_again(engine: Engine) -> None:
    tables = ("notices", "notice_kept_messages", "notice_shown")
    migrations.downgrade(engine, "0008")
    try:
        assert not set(tables) & set(inspect(engine).get_table_names())
    finally:
        migrations.upgrade(engine)
    assert set(tables) <= set(inspect(engine).get_table_names())


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()
