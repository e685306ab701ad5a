"""👍/👎 on knowledge answers: the widget's feedback frame and a typed 1 / 2, kept per company."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from invoicing_core.demo import DEMO_COMPANY
from knowledge import FeedbackLog
from tests.integration.channels.conftest import USER, AppFactory, log_in
from tests.integration.channels.frames import hello, message_with, of_type, say, until


def ratings_of(engine: Engine, conversation_id: str) -> list[tuple[str, str, bool, int | None]]:
    return [
        (r.entry_id, r.question, r.helpful, r.company_id)
        for r in FeedbackLog(engine).ratings()
        if r.conversation_id == conversation_id
    ]


def test_a_logged_in_users_thumbs_down_is_kept_with_the_entry_and_their_company(
    make_client: AppFactory, engine: Engine
) -> None:
    client: TestClient = make_client()
    token = log_in(client, USER)
    with client.websocket_connect(f"/ws/chat?token={token}") as ws:
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "忘记密码怎么办", "q-1")
        answer = until(ws, message_with("忘记密码”"))["message"]
        assert answer["card"]["type"] == "answer"

        ws.send_json({"type": "feedback", "message_id": answer["id"], "helpful": False})
        assert until(ws, of_type("feedback"))["helpful"] is False
        ws.send_json({"type": "feedback", "message_id": answer["id"], "helpful": True})
        until(ws, of_type("feedback"))

    accounts = client.app.state.invoicing_core.accounts  # type: ignore[attr-defined]
    company = accounts.company_id_by_tax_id(DEMO_COMPANY["tax_id"])
    assert ratings_of(engine, conversation_id) == [
        ("account.forgot_password", "忘记密码怎么办", True, company)
    ]


def test_only_the_bots_knowledge_answers_of_this_conversation_can_be_rated(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    with client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "你好", "q-1")
        echo = until(ws, message_with("机器人：你好"))["message"]
        for frame, field in [
            ({"message_id": echo["id"], "helpful": True}, "message_id"),
            ({"message_id": 10**9, "helpful": True}, "message_id"),
            ({"message_id": "1", "helpful": True}, "message_id"),
            ({"message_id": echo["id"], "helpful": "yes"}, "helpful"),
        ]:
            ws.send_json({"type": "feedback", **frame})
            error = until(ws, of_type("error"))
            assert error["code"] in ("invalid_input", "not_found") and error["field"] == field
            assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert ratings_of(engine, conversation_id) == []


def test_typing_2_after_an_answer_rates_it_and_offers_a_person(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    first = client.post("/api/v1/chat", json={"message": "忘记密码怎么办"}).json()
    conversation_id = first["conversation_id"]

    turn = client.post("/api/v1/chat", json={"conversation_id": conversation_id, "message": "2"})

    assert turn.status_code == 200
    [thanks] = turn.json()["messages"]
    assert thanks["text"].startswith("感谢您的反馈")
    assert thanks["buttons"] == [{"title": "转人工客服", "payload": "/human_handoff"}]
    assert ratings_of(engine, conversation_id) == [
        ("account.forgot_password", "忘记密码怎么办", False, None)
    ]


def test_a_1_that_follows_no_answer_goes_to_the_bot(make_client: AppFactory) -> None:
    client = make_client()
    first = client.post("/api/v1/chat", json={"message": "你好"}).json()

    turn = client.post(
        "/api/v1/chat", json={"conversation_id": first["conversation_id"], "message": "1"}
    ).json()

    assert [m["text"] for m in turn["messages"]] == ["机器人：1"]
