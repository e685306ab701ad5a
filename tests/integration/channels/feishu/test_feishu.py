"""The Feishu bot: the URL check, verified (and decrypted) events stored once and
answered through the send API (a local stand-in of Feishu's servers)."""

from __future__ import annotations

import json
import time

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.conversations.model import Reply
from channels.conversations.store import ConversationStore
from tests.dingtalk_api_standin import ApiStandIn
from tests.integration.channels.conftest import AppFactory
from tests.integration.channels.dingtalk.conftest import agent_says, web_binding_code
from tests.integration.channels.dingtalk.test_dingtalk import INVOICE_CARD
from tests.integration.channels.feishu.conftest import (
    TOKEN,
    encrypt,
    new_open_id,
    post,
    post_encrypted,
    signature_headers,
    stored,
    text_event,
    text_of,
    user_row,
)

CHALLENGE = {"challenge": "ajls384kdjx98XX", "token": TOKEN, "type": "url_verification"}


def test_the_url_check_echoes_the_challenge_with_the_right_token(client: TestClient) -> None:
    response = post(client, CHALLENGE)
    assert response.status_code == 200
    assert response.json() == {"challenge": "ajls384kdjx98XX"}
    refused = post(client, {**CHALLENGE, "token": "wrong"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "invalid_signature"


def test_the_encrypted_url_check_is_decrypted_and_echoed(encrypted_client: TestClient) -> None:
    raw = json.dumps({"encrypt": encrypt(CHALLENGE)}).encode()
    response = encrypted_client.post("/channels/feishu", content=raw)
    assert response.status_code == 200
    assert response.json() == {"challenge": "ajls384kdjx98XX"}


def test_a_question_is_answered_through_the_send_api(
    client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    open_id = new_open_id()
    event = text_event(open_id, "你好")
    response = post(client, event)
    assert response.status_code == 200 and response.json() == {}

    [sent] = feishu_api.wait_for(1)
    assert sent.path == "/open-apis/im/v1/messages"
    assert sent.query == {"receive_id_type": "open_id"}
    assert sent.token == feishu_api.valid_token
    assert sent.body["receive_id"] == open_id
    assert text_of(sent.body) == "机器人：你好"
    assert stored(engine, event["header"]["event_id"]) == 1


def test_an_encrypted_and_signed_event_is_answered(
    encrypted_client: TestClient, feishu_api: ApiStandIn
) -> None:
    open_id = new_open_id()
    assert post_encrypted(encrypted_client, text_event(open_id, "你好")).status_code == 200
    [sent] = feishu_api.wait_for(1)
    assert text_of(sent.body) == "机器人：你好"


def test_a_wrong_verification_token_is_403_and_nothing_is_stored(
    client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    event = text_event(new_open_id(), "你好", token="not-the-token")
    response = post(client, event)
    assert response.status_code == 403
    assert stored(engine, event["header"]["event_id"]) == 0
    time.sleep(0.3)
    assert feishu_api.sent == []


def test_a_wrong_signature_or_encryption_is_refused_and_nothing_is_stored(
    encrypted_client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    event = text_event(new_open_id(), "你好")
    raw = json.dumps({"encrypt": encrypt(event)}).encode()
    forged = {**signature_headers(raw), "X-Lark-Signature": "0" * 64}
    assert encrypted_client.post("/channels/feishu", content=raw, headers=forged).status_code == 403
    unsigned = encrypted_client.post("/channels/feishu", content=raw)
    assert unsigned.status_code == 403

    wrong_key = post_encrypted(encrypted_client, event, key="another-key")
    assert wrong_key.status_code in (400, 403)
    garbage = json.dumps({"encrypt": "bm90IGVuY3J5cHRlZA=="}).encode()
    response = encrypted_client.post(
        "/channels/feishu", content=garbage, headers=signature_headers(garbage)
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_message"
    plain = post(encrypted_client, event)  # the key is set: a plain body is not Feishu's
    assert plain.status_code == 400

    assert stored(engine, event["header"]["event_id"]) == 0
    time.sleep(0.3)
    assert feishu_api.sent == []


def test_what_is_not_a_feishu_event_is_400(client: TestClient) -> None:
    for body in (b"not json", b"[]", b'{"schema": "2.0"}'):
        response = client.post("/channels/feishu", content=body)
        assert response.status_code == 400, body
    broken = text_event(new_open_id(), "你好")
    del broken["event"]["sender"]
    assert post(client, broken).status_code == 400


def test_other_events_are_acknowledged_and_ignored(
    client: TestClient, feishu_api: ApiStandIn
) -> None:
    event = text_event(new_open_id(), "你好")
    event["header"]["event_type"] = "im.chat.member.bot.added_v1"
    assert post(client, event).json() == {}
    time.sleep(0.3)
    assert feishu_api.sent == []


def test_a_retried_event_is_stored_and_answered_once(
    client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    event = text_event(new_open_id(), "你好")
    assert post(client, event).status_code == 200
    assert post(client, event).status_code == 200
    feishu_api.wait_for(1)
    time.sleep(0.5)
    assert len(feishu_api.sent) == 1
    assert stored(engine, event["header"]["event_id"]) == 1


def test_binding_with_a_web_code_then_a_task_runs_as_the_bound_user(
    client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    open_id = new_open_id()
    post(client, text_event(open_id, f"绑定 {web_binding_code(client)}"))
    [bound] = feishu_api.wait_for(1)
    assert "绑定成功" in text_of(bound.body)
    assert user_row(engine, open_id).username == "demo"

    post(client, text_event(open_id, "查一下我的发票"))
    answers = feishu_api.wait_for(2)
    assert text_of(answers[1].body) == "机器人：查一下我的发票"
    conversation_id = user_row(engine, open_id).conversation_id
    assert ConversationStore(engine).username_of(conversation_id) == "demo"


def test_an_agents_reply_reaches_the_user(
    client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    open_id = new_open_id()
    post(client, text_event(open_id, "你好"))
    feishu_api.wait_for(1)
    conversation_id = user_row(engine, open_id).conversation_id

    agent_says(client, engine, conversation_id, Reply("您好，我是人工客服小王"))
    sent = feishu_api.wait_for(2)[-1]
    assert sent.body["receive_id"] == open_id
    assert text_of(sent.body) == "您好，我是人工客服小王"


def test_an_invoice_card_goes_out_as_an_interactive_card(
    client: TestClient, feishu_api: ApiStandIn, engine: Engine
) -> None:
    open_id = new_open_id()
    post(client, text_event(open_id, "你好"))
    feishu_api.wait_for(1)
    conversation_id = user_row(engine, open_id).conversation_id

    agent_says(client, engine, conversation_id, Reply("这是您要的发票：", card=INVOICE_CARD))
    sent = feishu_api.wait_for(2)[-1]
    assert sent.body["msg_type"] == "interactive"
    card = json.loads(sent.body["content"])
    assert card["header"]["title"]["content"] == "发票详情"
    [element] = card["elements"]
    assert element["tag"] == "markdown"
    assert "- 购买方：上海某某科技有限公司" in element["content"]


def test_a_revoked_token_is_fetched_again_and_the_send_retried(
    client: TestClient, feishu_api: ApiStandIn
) -> None:
    open_id = new_open_id()
    post(client, text_event(open_id, "一"))
    feishu_api.wait_for(1)
    fetches = feishu_api.token_fetches
    feishu_api.answer_next("revoked", "http500")
    post(client, text_event(open_id, "二"))
    sent = feishu_api.wait_for(2)
    assert text_of(sent[-1].body) == "机器人：二"
    assert feishu_api.token_fetches == fetches + 1


def test_a_channel_without_settings_is_404(make_client: AppFactory) -> None:
    response = make_client().post("/channels/feishu", json=CHALLENGE)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "channel_disabled"
