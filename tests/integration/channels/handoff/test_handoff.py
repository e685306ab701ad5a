"""The handoff: bot → waiting → agent → closed or back to bot, the queue and assignment."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.channels.agents import (
    SECOND_AGENT,
    add_second_agent,
    agent_headers,
    console,
)
from tests.integration.channels.conftest import AppFactory
from tests.integration.channels.frames import hello, message_with, of_type, say, until


def chat(client: TestClient, text: str, conversation_id: str | None = None) -> dict[str, Any]:
    """One turn over POST /api/v1/chat."""
    body = {"message": text} | ({"conversation_id": conversation_id} if conversation_id else {})
    response = client.post("/api/v1/chat", json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def queue_ids(client: TestClient, headers: dict[str, str]) -> list[str]:
    """The queue, as conversation ids in order."""
    response = client.get("/api/v1/agent/queue", headers=headers)
    assert response.status_code == 200, response.text
    return [item["conversation_id"] for item in response.json()["items"]]


def test_asking_for_a_human_with_nobody_online_queues_and_offers_to_leave_a_message(
    make_client: AppFactory,
) -> None:
    client = make_client()
    turn = chat(client, "我要转人工")

    assert turn["state"] == "waiting"
    notice = turn["messages"][-1]
    assert notice["role"] == "system" and "当前没有人工客服在线" in notice["text"]
    assert notice["card"]["type"] == "leave_message"
    item = client.get("/api/v1/agent/queue", headers=agent_headers(client)).json()["items"][0]
    assert (item["conversation_id"], item["reason"]) == (turn["conversation_id"], "user_request")
    assert item["waiting_seconds"] >= 0 and item["last_text"]


def test_an_online_agent_takes_over_and_the_bot_stays_silent(make_client: AppFactory) -> None:
    client = make_client()
    headers = agent_headers(client)
    with console(client, headers) as agent_ws, client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "你好", "h-0")
        until(ws, lambda f: f["type"] == "message" and f["message"]["role"] == "bot")
        say(ws, "转人工", "h-1")
        assert until(ws, message_with("人工客服 小王 已接入"))["message"]["role"] == "system"

        say(ws, "还在吗？", "h-2")
        seen = until(agent_ws, message_with("还在吗？"))
        assert seen["conversation_id"] == conversation_id
        mine = client.get("/api/v1/agent/conversations", headers=headers).json()["items"]
        # Unread: the request for a human and what followed, not the bot part before it;
        # the preview is the user's words, not the "已接入" notice.
        unread = [(c["conversation_id"], c["unread"], c["last_text"]) for c in mine]
        assert unread == [(conversation_id, 2, "还在吗？")]

        sent = client.post(
            f"/api/v1/agent/conversations/{conversation_id}/messages",
            json={"text": "您好，我是小王"},
            headers=headers,
        )
        assert sent.status_code == 201
        reply = until(ws, message_with("您好，我是小王"))["message"]
        assert (reply["role"], reply["author"]) == ("agent", "小王")

        transcript = client.get(f"/api/v1/agent/conversations/{conversation_id}", headers=headers)
        texts = [m["text"] for m in transcript.json()["messages"]]
        assert "机器人：还在吗？" not in texts
        assert texts[0] == "你好" and texts[-1] == "您好，我是小王"
        mine = client.get("/api/v1/agent/conversations", headers=headers).json()["items"]
        assert mine[0]["unread"] == 0


def test_assignment_goes_to_the_agent_with_fewest_conversations_under_the_limit(
    make_client: AppFactory,
) -> None:
    client = make_client(handoff_agent_limit=1)
    add_second_agent(client)
    first, second = agent_headers(client), agent_headers(client, SECOND_AGENT)
    with console(client, first), console(client, second):
        one = chat(client, "转人工")
        two = chat(client, "转人工")
        three = chat(client, "转人工")
        assert "人工客服 小王 已接入" in one["messages"][-1]["text"]
        assert "人工客服 小李 已接入" in two["messages"][-1]["text"]
        assert three["state"] == "waiting" and "请稍候" in three["messages"][-1]["text"]

        closed = client.post(
            f"/api/v1/agent/conversations/{one['conversation_id']}/close", headers=first
        )
        assert closed.status_code == 200, closed.text
        mine = client.get("/api/v1/agent/conversations", headers=first).json()["items"]
        assert [c["conversation_id"] for c in mine] == [three["conversation_id"]]


def test_the_queue_is_ordered_by_waiting_time_and_a_conversation_is_claimed_once(
    make_client: AppFactory,
) -> None:
    client = make_client(handoff_auto_assign=False)
    headers = agent_headers(client)
    with console(client, headers):
        older, newer = chat(client, "转人工"), chat(client, "转人工")
        assert queue_ids(client, headers) == [older["conversation_id"], newer["conversation_id"]]

        url = f"/api/v1/agent/conversations/{newer['conversation_id']}/claim"
        assert client.post(url, headers=headers).json()["state"] == "agent"
        again = client.post(url, headers=headers)
        assert again.status_code == 409 and again.json()["error"]["code"] == "not_waiting"
        assert queue_ids(client, headers) == [older["conversation_id"]]


def test_three_unanswered_turns_in_a_row_hand_the_conversation_over(
    make_client: AppFactory,
) -> None:
    client = make_client()
    conversation_id = chat(client, "不知道的问题")["conversation_id"]
    assert chat(client, "你好", conversation_id)["state"] == "bot"  # an answer ends the streak
    assert chat(client, "还是不知道", conversation_id)["state"] == "bot"
    assert chat(client, "依然不知道", conversation_id)["state"] == "bot"
    turn = chat(client, "仍然不知道", conversation_id)
    assert turn["state"] == "waiting"
    item = client.get("/api/v1/agent/queue", headers=agent_headers(client)).json()["items"][0]
    assert item["reason"] == "unanswered"


def test_a_bot_that_fails_hands_the_conversation_to_a_person(make_client: AppFactory) -> None:
    client = make_client()
    response = client.post("/api/v1/chat", json={"message": "坏掉了吗"})
    assert response.status_code == 503
    conversation_id = response.json()["error"]["conversation_id"]
    item = client.get("/api/v1/agent/queue", headers=agent_headers(client)).json()["items"][0]
    assert (item["conversation_id"], item["reason"]) == (conversation_id, "bot_error")


def test_outside_working_hours_the_user_is_told_and_the_bot_keeps_the_conversation(
    make_client: AppFactory,
) -> None:
    client = make_client(handoff_days="")
    turn = chat(client, "转人工")
    assert turn["state"] == "bot"
    assert "非工作时间" in turn["messages"][-1]["text"]
    assert queue_ids(client, agent_headers(client)) == []


def test_a_left_message_becomes_a_ticket_and_the_bot_answers_again(
    make_client: AppFactory,
) -> None:
    client = make_client()
    headers = agent_headers(client)
    with client.websocket_connect("/ws/chat") as ws:
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "转人工", "t-1")
        until(ws, message_with("当前没有人工客服在线"))
        ws.send_json({"type": "ticket", "text": "请回电话", "contact": "13800000000"})
        ticket_id = until(ws, of_type("ticket"))["id"]
        until(ws, message_with(f"工单号 {ticket_id}"))
        say(ws, "你好", "t-2")
        until(ws, message_with("机器人：你好"))

    tickets = client.get("/api/v1/agent/tickets", headers=headers).json()["items"]
    ticket = next(t for t in tickets if t["id"] == ticket_id)
    assert (ticket["conversation_id"], ticket["contact"], ticket["text"]) == (
        conversation_id,
        "13800000000",
        "请回电话",
    )
    done = client.post(f"/api/v1/agent/tickets/{ticket_id}/close", headers=headers)
    assert done.json()["status"] == "done"
    again = client.post(f"/api/v1/agent/tickets/{ticket_id}/close", headers=headers)
    assert again.status_code == 404


def test_every_open_ticket_can_be_reached_a_page_at_a_time(make_client: AppFactory) -> None:
    client = make_client()
    store = client.app.state.services.live.handoff.tickets  # type: ignore[attr-defined]
    made = [store.open_ticket(None, None, "13800000000", f"留言{n}").id for n in range(111)]
    headers = agent_headers(client)

    seen: list[int] = []
    try:
        while True:
            page = client.get(
                "/api/v1/agent/tickets",
                params={"limit": 100, "offset": len(seen)},
                headers=headers,
            ).json()
            if not page["items"]:
                break
            seen += [t["id"] for t in page["items"]]
    finally:  # the database is shared: the next tests start without these
        for ticket_id in made:
            store.close_ticket(ticket_id, "agent")
    assert set(made) <= set(seen) and page["total"] == len(seen)
    assert seen == sorted(seen)  # the oldest first
    too_many = client.get("/api/v1/agent/tickets", params={"limit": 101}, headers=headers)
    assert too_many.status_code == 422


def served_and_closed(client: TestClient, headers: dict[str, str], ws: Any) -> str:
    """A widget conversation an agent takes over and closes; its id."""
    conversation_id: str = hello(ws)["conversation_id"]
    say(ws, "转人工", "r-1")
    until(ws, message_with("已接入"))
    url = f"/api/v1/agent/conversations/{conversation_id}/close"
    assert client.post(url, headers=headers).status_code == 200
    return conversation_id


def test_closing_asks_for_one_rating_and_the_user_can_go_on_with_the_bot(
    make_client: AppFactory,
) -> None:
    client = make_client()
    headers = agent_headers(client)
    with console(client, headers), client.websocket_connect("/ws/chat") as ws:
        conversation_id = served_and_closed(client, headers, ws)
        prompt = until(ws, message_with("请为本次服务打分"))["message"]
        assert prompt["card"]["type"] == "rating"

        ws.send_json({"type": "rating", "score": 5})
        until(ws, message_with("感谢您的评价（5 分）"))
        ws.send_json({"type": "rating", "score": 4})
        assert until(ws, of_type("error"))["code"] == "already_rated"

        say(ws, "你好", "r-2")
        until(ws, message_with("机器人：你好"))
    ratings = client.app.state.services.live.handoff.tickets.ratings_of(conversation_id)  # type: ignore[attr-defined]
    assert ratings == [5]


def test_an_agent_hands_back_to_the_bot_and_the_bot_answers_again(make_client: AppFactory) -> None:
    client = make_client()
    headers = agent_headers(client)
    with console(client, headers):
        conversation_id = chat(client, "转人工")["conversation_id"]
        back = client.post(
            f"/api/v1/agent/conversations/{conversation_id}/hand-back", headers=headers
        )
        assert back.json()["state"] == "bot"
        turn = chat(client, "你好", conversation_id)
        assert [m["text"] for m in turn["messages"]] == ["机器人：你好"]
        events = client.get(f"/api/v1/agent/conversations/{conversation_id}", headers=headers)
        assert events.status_code == 404  # no longer the agent's to read


def test_a_transfer_goes_to_another_online_agent_only(make_client: AppFactory) -> None:
    client = make_client()
    add_second_agent(client)
    first, second = agent_headers(client), agent_headers(client, SECOND_AGENT)
    with console(client, first):
        conversation_id = chat(client, "转人工")["conversation_id"]
        url = f"/api/v1/agent/conversations/{conversation_id}/transfer"
        offline = client.post(url, json={"to": "agent2"}, headers=first)
        assert offline.status_code == 409 and offline.json()["error"]["field"] == "to"
        with console(client, second):
            moved = client.post(url, json={"to": "agent2"}, headers=first)
            assert moved.json()["agent_name"] == "小李"
            transcript_url = f"/api/v1/agent/conversations/{conversation_id}"
            assert client.get(transcript_url, headers=first).status_code == 404
            messages = client.get(transcript_url, headers=second).json()["messages"]
            texts = [m["text"] for m in messages]
            assert "已为您转接人工客服 小李" in texts


def test_a_restarted_app_keeps_the_queue_in_order_and_every_message(
    make_client: AppFactory,
) -> None:
    first = make_client(handoff_auto_assign=False)
    older, newer = chat(first, "转人工"), chat(first, "转人工")
    first.__exit__(None, None, None)  # the worker stops (its sockets and memory go)

    restarted = make_client(handoff_auto_assign=False)
    headers = agent_headers(restarted)
    assert queue_ids(restarted, headers) == [older["conversation_id"], newer["conversation_id"]]
    transcript = restarted.get(
        f"/api/v1/agent/conversations/{older['conversation_id']}", headers=headers
    ).json()
    assert [m["role"] for m in transcript["messages"]] == ["user", "bot", "system"]
    assert [e["kind"] for e in transcript["events"]] == ["user_request"]


def test_the_users_typing_reaches_the_consoles(make_client: AppFactory) -> None:
    client = make_client()
    with (
        console(client, agent_headers(client)) as agent_ws,
        client.websocket_connect("/ws/chat") as ws,
    ):
        conversation_id = hello(ws)["conversation_id"]
        say(ws, "转人工", "ty-1")
        until(ws, message_with("已接入"))
        ws.send_json({"type": "typing", "on": True})
        typing = until(agent_ws, lambda f: f["type"] == "typing" and f["role"] == "user")
        assert (typing["conversation_id"], typing["on"]) == (conversation_id, True)


def test_the_back_to_bot_button_works_over_plain_http_too(make_client: AppFactory) -> None:
    client = make_client()
    waiting = chat(client, "我要转人工")
    assert waiting["state"] == "waiting"

    back = chat(client, "/back_to_bot", waiting["conversation_id"])
    assert back["state"] == "bot"
    assert "继续向智能助手提问" in back["messages"][-1]["text"]
    assert queue_ids(client, agent_headers(client)) == []
    again = chat(client, "你好", waiting["conversation_id"])
    assert again["messages"][-1]["text"] == "机器人：你好"


def test_a_message_left_as_text_becomes_a_ticket_on_channels_without_the_form(
    make_client: AppFactory,
) -> None:
    client = make_client()
    waiting = chat(client, "我要转人工")
    assert "留言 + 您的问题" in waiting["messages"][-1]["text"]

    left = chat(client, "留言：发票抬头要改，请回电话 13800000000", waiting["conversation_id"])

    assert left["state"] == "bot"
    assert "工单号" in left["messages"][-1]["text"]
    tickets = client.get("/api/v1/agent/tickets", headers=agent_headers(client)).json()["items"]
    [ticket] = [t for t in tickets if t["conversation_id"] == waiting["conversation_id"]]
    assert ticket["text"] == "发票抬头要改，请回电话 13800000000"
    assert ticket["contact"] == "未登录用户（api）"


def test_writing_after_the_agent_closed_tells_the_widget_the_bot_answers_again(
    make_client: AppFactory,
) -> None:
    client = make_client()
    headers = agent_headers(client)
    with console(client, headers), client.websocket_connect("/ws/chat") as ws:
        served_and_closed(client, headers, ws)
        assert until(ws, lambda f: f["type"] == "state")["state"] == "closed"

        say(ws, "你好", "r-2")
        # The header said 会话已结束; the widget hears the bot holds it before the answer.
        reopened = until(
            ws, lambda f: f["type"] == "state" or f.get("message", {}).get("role") == "bot"
        )
        assert (reopened["type"], reopened.get("state")) == ("state", "bot")
