"""The app with the Feishu bot on, the stand-in Rasa, Feishu's API a local stand-in.

Events are built, encrypted (AES-256-CBC, key SHA256(Encrypt Key), IV before the
ciphertext) and signed (sha256 of timestamp + nonce + Encrypt Key + body) the way
Feishu's open platform documents it.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import secrets
import time
from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, select

from channels.wechat.tables import wechat_inbound, wechat_users
from tests.dingtalk_api_standin import ApiStandIn
from tests.feishu_api_standin import running_standin
from tests.integration.channels.conftest import AppFactory

TOKEN = "feishu-verification-token"
ENCRYPT_KEY = "feishu-encrypt-key"
_event_ids = itertools.count(int(time.time() * 1000))


@pytest.fixture(scope="session")
def feishu_api() -> Iterator[ApiStandIn]:
    """Feishu's API servers, as far as the app uses them."""
    with running_standin() as running:
        yield running


def feishu_client(make_client: AppFactory, standin: ApiStandIn, encrypt_key: str) -> TestClient:
    """The app with the bot configured against the stand-in."""
    standin.reset()
    return make_client(
        feishu_app_id="cli_test",
        feishu_app_secret="feishu-app-secret",
        feishu_verification_token=TOKEN,
        feishu_encrypt_key=encrypt_key,
        feishu_api_base=standin.url,
        wechat_api_timeout_seconds=1.0,
        wechat_api_backoff_seconds=0.05,
    )


@pytest.fixture
def client(make_client: AppFactory, feishu_api: ApiStandIn) -> TestClient:
    """Events in plain JSON (no Encrypt Key)."""
    return feishu_client(make_client, feishu_api, "")


@pytest.fixture
def encrypted_client(make_client: AppFactory, feishu_api: ApiStandIn) -> TestClient:
    """Events encrypted and signed (an Encrypt Key is set)."""
    return feishu_client(make_client, feishu_api, ENCRYPT_KEY)


def new_open_id() -> str:
    """A Feishu user nobody has seen yet."""
    return f"ou_{secrets.token_hex(16)}"


def text_event(
    open_id: str, text: str, event_id: str | None = None, token: str = TOKEN
) -> dict[str, Any]:
    """im.message.receive_v1 of a text in a 1:1 chat, as Feishu posts it (schema 2.0)."""
    return {
        "schema": "2.0",
        "header": {
            "event_id": event_id or f"ev{next(_event_ids)}",
            "event_type": "im.message.receive_v1",
            "create_time": str(int(time.time() * 1000)),
            "token": token,
            "app_id": "cli_test",
            "tenant_key": "tenant",
        },
        "event": {
            "sender": {
                "sender_id": {"open_id": open_id, "union_id": "on_x", "user_id": "u1"},
                "sender_type": "user",
                "tenant_key": "tenant",
            },
            "message": {
                "message_id": f"om_{secrets.token_hex(8)}",
                "create_time": str(int(time.time() * 1000)),
                "chat_id": "oc_chat",
                "chat_type": "p2p",
                "message_type": "text",
                "content": json.dumps({"text": text}, ensure_ascii=False),
            },
        },
    }


def encrypt(plain: dict[str, Any], key: str = ENCRYPT_KEY) -> str:
    """Feishu's `encrypt` field of a body."""
    iv = os.urandom(16)
    padder = padding.PKCS7(128).padder()
    data = padder.update(json.dumps(plain).encode()) + padder.finalize()
    cipher = Cipher(algorithms.AES(hashlib.sha256(key.encode()).digest()), modes.CBC(iv))
    encryptor = cipher.encryptor()
    return base64.b64encode(iv + encryptor.update(data) + encryptor.finalize()).decode()


def signature_headers(body: bytes, key: str = ENCRYPT_KEY) -> dict[str, str]:
    """X-Lark-Request-Timestamp, -Nonce and X-Lark-Signature over the raw body."""
    timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
    signed = (timestamp + nonce + key).encode() + body
    return {
        "X-Lark-Request-Timestamp": timestamp,
        "X-Lark-Request-Nonce": nonce,
        "X-Lark-Signature": hashlib.sha256(signed).hexdigest(),
        "Content-Type": "application/json",
    }


def post(client: TestClient, body: dict[str, Any]) -> Response:
    """Post a plain event."""
    return client.post("/channels/feishu", json=body)


def post_encrypted(client: TestClient, body: dict[str, Any], key: str = ENCRYPT_KEY) -> Response:
    """Post an event encrypted and signed with `key`."""
    raw = json.dumps({"encrypt": encrypt(body, key)}).encode()
    return client.post("/channels/feishu", content=raw, headers=signature_headers(raw, key))


def stored(engine: Engine, event_id: str) -> int:
    """How many inbound rows a Feishu event has."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(wechat_inbound.c.id)
            .where(wechat_inbound.c.account == "feishu")
            .where(wechat_inbound.c.msg_key == f"event:{event_id}")
        ).all()
    return len(rows)


def user_row(engine: Engine, open_id: str) -> Any:
    """The channel's row of a Feishu user (bound user name, conversation)."""
    with engine.connect() as connection:
        return connection.execute(
            select(wechat_users)
            .where(wechat_users.c.account == "feishu")
            .where(wechat_users.c.openid == open_id)
        ).one()


def text_of(sent_body: dict[str, Any]) -> str:
    """The text of a text message sent to Feishu."""
    assert sent_body["msg_type"] == "text"
    text: str = json.loads(sent_body["content"])["text"]
    return text
