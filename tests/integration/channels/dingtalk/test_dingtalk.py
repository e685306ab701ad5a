"""The DingTalk robot: signed callbacks stored once and answered through the session
webhook or the robot's send API (a local stand-in of DingTalk's servers)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from channels.chat.answer_feedback import PROMPT
from channels.conversations.model import Reply
from channels.conversations.store import ConversationStore
from channels.wechat.inbound_log import STALE_AFTER, TurnStatus
from channels.wechat.tables import wechat_inbound
from tests.dingtalk_api_standin import ApiStandIn
from tests.integration.channels.conftest import AppFactory
from tests.integration.channels.dingtalk.conftest import (
    ROBOT_CODE,
    agent_says,
    new_staff_id,
    post,
    signed,
    stored,
    text_message,
    user_row,
    web_binding_code,
)

INVOICE_CARD = {
    "type": "invoice",
    "title": "发票详情",
    "number": "24310000000000001234",
    "fields": [
        {"label": "发票号码", "value": "24310000000000001234"},
        {"label": "购买方", "value": "上海某某科技有限公司"},
        {"label": "价税合计", "value": "1130.00"},
    ],
}


def test_a_question_is_answered_through_the_session_webhook(
    client: TestClient, dingtalk_api: ApiStandIn
) -> None:
    staff_id = new_staff_id()
    response = post(client, text_message(dingtalk_api, staff_id, "你好"))
    assert response.status_code == 200, response.text

    [sent] = dingtalk_api.wait_for(1)
    assert sent.path == "/robot/sendBySession"
    assert sent.query == {"session": staff_id}
    assert sent.body == {"msgtype": "text", "text": {"content": "机器人：你好"}}


def test_with_the_session_webhook_expired_the_answer_goes_through_the_robot_api(
    client: TestClient, dingtalk_api: ApiStandIn
) -> None:
    staff_id = new_staff_id()
    post(client, text_message(dingtalk_api, staff_id, "你好", webhook_valid_ms=-1000))

    [sent] = dingtalk_api.wait_for(1)
    assert sent.path == "/v1.0/robot/oToMessages/batchSend"
    assert sent.token == dingtalk_api.valid_token
    assert sent.body["robotCode"] == ROBOT_CODE
    assert sent.body["userIds"] == [staff_id]
    assert sent.body["msgKey"] == "sampleText"
    assert json.loads(sent.body["msgParam"]) == {"content": "机器人：你好"}


def test_a_wrong_sign_is_403_and_nothing_is_stored(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    body = text_message(dingtalk_api, new_staff_id(), "你好")
    forged = signed(secret="not-the-app-secret")
    response = post(client, body, forged)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "invalid_signature"
    assert response.json()["error"]["field"] == "sign"
    assert post(client, body, {"timestamp": forged["timestamp"]}).status_code == 403
    assert stored(engine, body["msgId"]) == 0
    time.sleep(0.3)
    assert dingtalk_api.sent == []


def test_a_timestamp_more_than_an_hour_off_is_403_and_nothing_is_stored(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    body = text_message(dingtalk_api, new_staff_id(), "你好")
    response = post(client, body, signed(age_ms=61 * 60 * 1000))
    assert response.status_code == 403
    assert stored(engine, body["msgId"]) == 0
    assert post(client, body, signed(age_ms=59 * 60 * 1000)).status_code == 200


def test_what_is_not_dingtalks_json_is_400_and_nothing_is_stored(
    client: TestClient, engine: Engine
) -> None:
    for body in (b"not json", b"[]", b'{"msgtype": "text"}'):
        response = client.post("/channels/dingtalk", content=body, headers=signed())
        assert response.status_code == 400, body
        assert response.json()["error"]["code"] == "invalid_message"


def test_a_retried_message_is_stored_and_answered_once(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    body = text_message(dingtalk_api, new_staff_id(), "你好")
    assert post(client, body).status_code == 200
    assert post(client, body).status_code == 200
    dingtalk_api.wait_for(1)
    time.sleep(0.5)
    assert len(dingtalk_api.sent) == 1
    assert stored(engine, body["msgId"]) == 1


def test_binding_with_a_web_code_then_a_task_runs_as_the_bound_user(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    staff_id = new_staff_id()
    code = web_binding_code(client)
    post(client, text_message(dingtalk_api, staff_id, f"绑定 {code}"))
    [bound] = dingtalk_api.wait_for(1)
    assert "绑定成功" in bound.body["text"]["content"]
    assert user_row(engine, staff_id).username == "demo"

    post(client, text_message(dingtalk_api, staff_id, "查一下我的发票"))
    answers = dingtalk_api.wait_for(2)
    assert answers[1].body["text"]["content"] == "机器人：查一下我的发票"
    conversation_id = user_row(engine, staff_id).conversation_id
    assert ConversationStore(engine).username_of(conversation_id) == "demo"


def test_an_agents_reply_reaches_the_user_through_the_robot_api(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    staff_id = new_staff_id()
    post(client, text_message(dingtalk_api, staff_id, "你好"))
    dingtalk_api.wait_for(1)
    conversation_id = user_row(engine, staff_id).conversation_id

    agent_says(client, engine, conversation_id, Reply("您好，我是人工客服小王"))
    sent = dingtalk_api.wait_for(2)[-1]
    assert sent.path == "/v1.0/robot/oToMessages/batchSend"
    assert sent.body["userIds"] == [staff_id]
    assert json.loads(sent.body["msgParam"]) == {"content": "您好，我是人工客服小王"}


def test_an_invoice_card_goes_out_as_markdown(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    staff_id = new_staff_id()
    post(client, text_message(dingtalk_api, staff_id, "你好"))
    dingtalk_api.wait_for(1)
    conversation_id = user_row(engine, staff_id).conversation_id

    agent_says(client, engine, conversation_id, Reply("这是您要的发票：", card=INVOICE_CARD))
    sent = dingtalk_api.wait_for(2)[-1]
    assert sent.body["msgKey"] == "sampleMarkdown"
    param = json.loads(sent.body["msgParam"])
    assert param["title"] == "发票详情"
    assert "**发票详情**" in param["text"]
    assert "- 发票号码：24310000000000001234" in param["text"]
    assert "- 价税合计：1130.00" in param["text"]


def test_a_revoked_token_is_fetched_again_and_the_send_retried(
    client: TestClient, dingtalk_api: ApiStandIn
) -> None:
    staff_id = new_staff_id()
    post(client, text_message(dingtalk_api, staff_id, "一", webhook_valid_ms=-1))
    dingtalk_api.wait_for(1)
    fetches = dingtalk_api.token_fetches
    dingtalk_api.answer_next("revoked", "http500")
    post(client, text_message(dingtalk_api, staff_id, "二", webhook_valid_ms=-1))
    sent = dingtalk_api.wait_for(2)
    assert json.loads(sent[-1].body["msgParam"]) == {"content": "机器人：二"}
    assert dingtalk_api.token_fetches == fetches + 1


def test_a_channel_without_settings_is_404(make_client: AppFactory) -> None:
    response = make_client().post("/channels/dingtalk", json={}, headers=signed())
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "channel_disabled"


def test_a_knowledge_answer_keeps_its_basis_and_how_to_rate_it(
    client: TestClient, dingtalk_api: ApiStandIn
) -> None:
    post(client, text_message(dingtalk_api, new_staff_id(), "忘记密码怎么办"))
    [sent] = dingtalk_api.wait_for(1)
    text = sent.body["text"]["content"]
    assert text.startswith("在登录页点击“忘记密码”。")
    assert "依据：" in text and text.endswith(PROMPT)


def test_a_turn_whose_worker_died_is_answered_through_the_robot_api_once(
    client: TestClient, dingtalk_api: ApiStandIn, engine: Engine
) -> None:
    staff_id = new_staff_id()
    with engine.begin() as connection:
        row_id = connection.execute(
            insert(wechat_inbound).values(
                account="dingtalk",
                msg_key=f"id:died-{staff_id}",
                openid=staff_id,
                msg_type="text",
                content="你好",
                received_at=datetime.now(UTC) - 2 * STALE_AFTER,
                status=TurnStatus.LATE.value,
            )
        ).inserted_primary_key[0]
    channels = client.app.state.services.im_channels  # type: ignore[attr-defined]
    client.portal.call(channels.dingtalk.turns.recover)  # type: ignore[union-attr]
    client.portal.call(channels.dingtalk.turns.recover)  # type: ignore[union-attr]

    [sent] = dingtalk_api.wait_for(1)
    assert sent.path == "/v1.0/robot/oToMessages/batchSend"
    assert json.loads(sent.body["msgParam"]) == {"content": "机器人：你好"}
    with engine.connect() as connection:
        status = connection.execute(
            select(wechat_inbound.c.status).where(wechat_inbound.c.id == row_id)
        ).scalar_one()
    assert status == TurnStatus.DELIVERED.value
