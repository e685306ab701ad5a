"""Each outside way against a local stand-in: Alibaba Cloud SMS, SMTP, WeChat."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from typing import Any
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, text

from channels.notifications.outbox import Event
from channels.notifications.preferences import PreferenceStore, parse_preferences
from channels.wechat.users import WeChatUsers
from tests.integration.channels.conftest import AppFactory
from tests.sms_api_standin import running_standin as running_sms
from tests.wechat_api_standin import running_standin as running_wechat


def _prepare(engine: Engine, way: str, **contact: str) -> None:
    PreferenceStore(engine).keep("demo", parse_preferences({"ways": {"ticket_reply": [way]}}))
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE users SET email = :email, phone = :phone WHERE username = 'demo'"),
            {"email": contact.get("email", ""), "phone": contact.get("phone", "")},
        )


def _notify_and_send(client: Any) -> list[Any]:
    notes = client.app.state.notifications
    notes.outbox.notify(Event("ticket:way", "demo", "ticket_reply", "您的留言已处理", "客服已回复"))
    client.portal.call(notes.sender.send_due)
    return list(notes.outbox.all_rows())


def _rfc3986(value: str) -> str:
    return "".join(
        ch if re.fullmatch(r"[A-Za-z0-9\-_.~]", ch) else "".join(f"%{b:02X}" for b in ch.encode())
        for ch in value
    )


def test_an_sms_is_a_signed_alibaba_cloud_send_sms_request(
    make_client: AppFactory, engine: Engine
) -> None:
    with running_sms() as sms:
        client = make_client(
            sms_provider="aliyun",
            sms_access_key_id="testid",
            sms_access_key_secret="testsecret",
            sms_sign_name="开票助手",
            sms_template_code="SMS_123456",
            sms_api_base=sms.url,
        )
        _prepare(engine, "sms", phone="13800138000")
        (row,) = _notify_and_send(client)
        assert row.state == "sent"
        ((pairs, raw),) = sms.received
    params = dict(pairs)
    assert [name for name, _ in pairs][-1] == "Signature"
    assert {
        k: v for k, v in params.items() if k not in ("SignatureNonce", "Timestamp", "Signature")
    } == {
        "AccessKeyId": "testid",
        "Action": "SendSms",
        "Format": "JSON",
        "PhoneNumbers": "13800138000",
        "RegionId": "cn-hangzhou",
        "SignName": "开票助手",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_123456",
        "TemplateParam": json.dumps({"title": "您的留言已处理"}, ensure_ascii=False),
        "Version": "2017-05-25",
    }
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", params["Timestamp"])
    # The documentation's steps, written out again: sorted, RFC 3986, "GET&%2F&", key + "&".
    unsigned = sorted((k, v) for k, v in params.items() if k != "Signature")
    query = "&".join(f"{_rfc3986(k)}={_rfc3986(v)}" for k, v in unsigned)
    to_sign = "GET&%2F&" + _rfc3986(query)
    expected = base64.b64encode(
        hmac.new(b"testsecret&", to_sign.encode(), hashlib.sha1).digest()
    ).decode()
    assert params["Signature"] == expected
    # Sent exactly as signed: a space would be %20, never "+".
    assert raw.startswith(query + "&Signature=")
    assert raw.endswith(quote(expected, safe="-_.~"))


def test_a_user_without_a_phone_fails_at_once_and_nothing_is_sent(
    make_client: AppFactory, engine: Engine
) -> None:
    with running_sms() as sms:
        client = make_client(sms_provider="aliyun", sms_api_base=sms.url)
        _prepare(engine, "sms")
        (row,) = _notify_and_send(client)
        assert (row.state, row.last_error) == ("failed", "账号没有手机号。")
        assert sms.received == []


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[int, _Inbox]]:
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, inbox
    finally:
        controller.stop()


def test_an_email_goes_to_the_accounts_address_through_smtp(
    make_client: AppFactory, engine: Engine, smtp_server: tuple[int, _Inbox]
) -> None:
    port, inbox = smtp_server
    client = make_client(
        notify_smtp_host="127.0.0.1",
        notify_smtp_port=port,
        notify_smtp_security="none",
        notify_from="开票助手 <noreply@example.com>",
    )
    _prepare(engine, "email", email="demo@example.com")
    (row,) = _notify_and_send(client)
    assert row.state == "sent"
    (raw,) = inbox.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["To"] == "demo@example.com"
    assert mail["Subject"] == "开票助手：您的留言已处理"
    assert "客服已回复" in mail.get_content()


def test_wechat_sends_a_customer_service_text_to_the_bound_openid(
    make_client: AppFactory, engine: Engine
) -> None:
    _prepare(engine, "wechat")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM wechat_users WHERE openid = 'o-notify'"))
    users = WeChatUsers(engine)
    users.arrive("wechat", "o-notify", datetime.now(UTC))
    users.bind("wechat", "o-notify", "demo", keep_conversation=False)
    with running_wechat() as wechat:
        client = make_client(
            wechat_token="t", wechat_app_id="app", wechat_app_secret="s", wechat_api_base=wechat.url
        )
        (row,) = _notify_and_send(client)
        assert row.state == "sent"
        sends = [s for s in wechat.sent if s.path.endswith("/custom/send")]
    assert [s.body["touser"] for s in sends] == ["o-notify"]
    assert sends[0].body["text"]["content"] == "【您的留言已处理】\n客服已回复"
