"""Late answers and agent replies go out through the customer-service API (a stand-in).

The stand-in records what arrived and answers scripted errors: 45015 (outside the
48-hour window), 40001 (token revoked), slow answers (timeouts) and 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from channels.conversations.model import Reply, Role
from channels.conversations.store import ConversationStore
from channels.wechat.tables import wechat_outbound, wechat_users
from tests.integration.channels.wechat.conftest import (
    event_xml,
    new_openid,
    post_encrypted,
    post_plain,
    reply_of,
    text_xml,
)
from tests.wechat_api_standin import WeChatApiStandIn


def known_user(
    client: TestClient, engine: Engine, path: str = "/channels/wechat"
) -> tuple[str, str]:
    """A user who just wrote (so their window is open): (openid, conversation id)."""
    openid = new_openid()
    if path.endswith("wecom"):
        post_encrypted(client, text_xml(openid, "你好"), path=path)
    else:
        reply_of(post_plain(client, event_xml(openid, "subscribe")))
    return openid, conversation_of(engine, openid)


def conversation_of(engine: Engine, openid: str) -> str:
    with engine.connect() as connection:
        found: str = connection.execute(
            select(wechat_users.c.conversation_id).where(wechat_users.c.openid == openid)
        ).scalar_one()
    return found


def agent_says(client: TestClient, engine: Engine, conversation_id: str, text: str) -> None:
    """Store an agent's message and deliver it the way the handoff does."""
    store = ConversationStore(engine)
    conversation = store.get(conversation_id)
    assert conversation is not None
    stored = store.answer(store.receive(conversation_id, "(agent turn)"), [Reply(text)], Role.AGENT)
    deliveries = client.app.state.services.deliveries  # type: ignore[attr-defined]
    client.portal.call(deliveries.deliver, conversation, stored[-1:])  # type: ignore[union-attr]


def outcomes(engine: Engine, openid: str) -> list[dict[str, Any]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(wechat_outbound)
            .where(wechat_outbound.c.openid == openid)
            .order_by(wechat_outbound.c.id)
        ).all()
    return [dict(row._mapping) for row in rows]


def test_an_agent_reply_reaches_the_user_as_a_customer_service_message(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    openid, conversation_id = known_user(client, engine)
    agent_says(client, engine, conversation_id, "您好，我是人工客服小王")

    [sent] = standin.wait_for(1)
    assert sent.path == "/cgi-bin/message/custom/send"
    assert sent.body == {
        "touser": openid,
        "msgtype": "text",
        "text": {"content": "您好，我是人工客服小王"},
    }
    assert [row["status"] for row in outcomes(engine, openid)] == ["sent"]


def test_outside_the_48_hour_window_it_is_recorded_undeliverable_without_calling(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    openid, conversation_id = known_user(client, engine)
    with engine.begin() as connection:
        connection.execute(
            update(wechat_users)
            .where(wechat_users.c.openid == openid)
            .values(last_inbound_at=datetime.now(UTC) - timedelta(hours=49))
        )
    agent_says(client, engine, conversation_id, "还在吗？")

    assert standin.sent == []
    [row] = outcomes(engine, openid)
    assert (row["status"], row["reason"]) == ("undeliverable", "outside_48h_window")


def test_wechats_45015_is_recorded_undeliverable(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    openid, conversation_id = known_user(client, engine)
    standin.answer_next(45015)
    agent_says(client, engine, conversation_id, "您的发票已开具")

    [row] = outcomes(engine, openid)
    assert (row["status"], row["reason"], row["errcode"]) == (
        "undeliverable",
        "outside_48h_window",
        45015,
    )


def test_a_revoked_token_is_refreshed_and_the_send_retried_once(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    openid, conversation_id = known_user(client, engine)
    agent_says(client, engine, conversation_id, "第一条")
    fetches = standin.token_fetches
    standin.expire_token()
    agent_says(client, engine, conversation_id, "第二条")

    assert standin.token_fetches == fetches + 1
    assert [sent.body["text"]["content"] for sent in standin.wait_for(2)] == ["第一条", "第二条"]
    assert standin.sent[1].token == standin.valid_token

    standin.answer_next(40001, 40001)  # still refused after the refresh: given up, recorded
    agent_says(client, engine, conversation_id, "第三条")
    last = outcomes(engine, openid)[-1]
    assert (last["status"], last["errcode"]) == ("failed", 40001)


def test_the_token_is_cached_between_sends(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    _, conversation_id = known_user(client, engine)
    agent_says(client, engine, conversation_id, "一")
    fetches = standin.token_fetches
    agent_says(client, engine, conversation_id, "二")
    assert standin.token_fetches == fetches


def test_timeouts_and_busy_answers_are_retried_with_backoff(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    openid, conversation_id = known_user(client, engine)
    standin.slow_seconds = 1.5  # the app waits 0.5 s (wechat_api_timeout_seconds)
    standin.answer_next("slow", "http500")
    agent_says(client, engine, conversation_id, "稍等片刻")

    [row] = outcomes(engine, openid)
    assert (row["status"], row["attempts"]) == ("sent", 3)
    assert [sent.body["text"]["content"] for sent in standin.sent] == ["稍等片刻"]

    standin.answer_next("http500", "http500", "http500")
    agent_says(client, engine, conversation_id, "重试用尽")
    last = outcomes(engine, openid)[-1]
    assert (last["status"], last["attempts"]) == ("failed", 3)


def test_an_answer_later_than_the_budget_is_success_then_a_customer_service_message(
    make_client: Callable[..., TestClient], engine: Engine, standin: WeChatApiStandIn
) -> None:
    client = make_client(wechat_reply_budget_seconds=0.0)
    openid = new_openid()
    xml = text_xml(openid, "电子发票怎么下载")

    assert post_plain(client, xml).text == "success"
    assert post_plain(client, xml).text == "success"  # WeChat's retry: no second turn

    sent = standin.wait_for(1)
    assert {s.body["touser"] for s in sent} == {openid}
    assert any("智能助手暂时无法响应" in s.body["text"]["content"] for s in sent)
    # The outcome row is written after the send returns: the user's row names the conversation.
    history = ConversationStore(engine).history(conversation_of(engine, openid))
    assert [m.text for m in history if m.role is Role.USER] == ["电子发票怎么下载"]


def test_wecom_messages_go_out_as_application_messages(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    member, conversation_id = known_user(client, engine, "/channels/wecom")
    standin.reset()
    agent_says(client, engine, conversation_id, "企业微信里的回复")

    [sent] = standin.wait_for(1)
    assert sent.path == "/cgi-bin/message/send"
    assert sent.body == {
        "touser": member,
        "msgtype": "text",
        "agentid": 1,
        "text": {"content": "企业微信里的回复"},
    }
