"""The app with the WeChat and WeCom channels on, Rasa down, WeChat's API a local stand-in.

Messages are built, signed and encrypted with wechatpy itself, the way WeChat's
servers would send them.
"""

from __future__ import annotations

import itertools
import secrets
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import xmltodict
from fastapi.testclient import TestClient
from httpx2 import Response  # what starlette's TestClient (an httpx2.Client) returns
from sqlalchemy import Engine
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.utils import WeChatSigner

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings
from tests.wechat_api_standin import WeChatApiStandIn, running_standin

# The official account: token of wechatpy's check_signature test vector, the AES key
# and app id of WeChat's published sample.
WECHAT_TOKEN = "test"
WECHAT_APP_ID = "wx2c2769f8efd9abc2"
WECHAT_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
# WeCom: the token, key and corp id of wechatpy's enterprise crypto test vectors.
WECOM_TOKEN = "123456"
WECOM_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
WECOM_CORP_ID = "wx49f0ab532d5d035a"
OUR_ACCOUNT = "gh_kaipiao"

_msg_ids = itertools.count(int(time.time() * 1000))


@pytest.fixture(scope="session")
def standin() -> Iterator[WeChatApiStandIn]:
    """WeChat's API servers, as far as the app uses them."""
    with running_standin() as running:
        yield running


def wechat_settings(
    standin: WeChatApiStandIn, free_port: Callable[[], int], **extra: Any
) -> AppSettings:
    """Settings with both channels on and Rasa down (nothing listens on its port)."""
    values: dict[str, Any] = {
        "rasa_port": free_port(),
        "action_port": free_port(),
        "log_json": False,
        "wechat_token": WECHAT_TOKEN,
        "wechat_app_id": WECHAT_APP_ID,
        "wechat_app_secret": "secret-of-the-app",
        "wechat_aes_key": WECHAT_AES_KEY,
        "wechat_api_base": standin.url,
        "wecom_corp_id": WECOM_CORP_ID,
        "wecom_token": WECOM_TOKEN,
        "wecom_aes_key": WECOM_AES_KEY,
        "wecom_agent_id": 1,
        "wecom_secret": "secret-of-the-corp",
        "wecom_api_base": standin.url,
        "wechat_api_timeout_seconds": 0.5,
        "wechat_api_backoff_seconds": 0.05,
        **extra,
    }
    return AppSettings(**values)


@pytest.fixture
def make_client(
    database_url: str, engine: Engine, standin: WeChatApiStandIn, free_port: Callable[[], int]
) -> Iterator[Callable[..., TestClient]]:
    """Builds a started app with the given extra settings; all are stopped afterwards."""
    clients: list[TestClient] = []

    def make(**extra: Any) -> TestClient:
        settings = wechat_settings(standin, free_port, **extra)
        client = TestClient(create_app(settings, CoreSettings(database_url=database_url)))
        client.__enter__()
        clients.append(client)
        return client

    standin.reset()
    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    """The app with a generous reply budget."""
    return make_client()


def new_openid() -> str:
    """A WeChat user nobody has seen yet."""
    return f"o{secrets.token_hex(12)}"


def text_xml(openid: str, content: str, msg_id: int | None = None) -> str:
    """A text message as WeChat pushes it."""
    msg_id = msg_id if msg_id is not None else next(_msg_ids)
    return (
        f"<xml><ToUserName><![CDATA[{OUR_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>"
    )


def media_xml(openid: str, kind: str, fields: str) -> str:
    """An image, file or other media message."""
    return (
        f"<xml><ToUserName><![CDATA[{OUR_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[{kind}]]></MsgType>"
        f"{fields}<MsgId>{next(_msg_ids)}</MsgId></xml>"
    )


def event_xml(openid: str, event: str, key: str = "") -> str:
    """An event (subscribe, unsubscribe, click)."""
    return (
        f"<xml><ToUserName><![CDATA[{OUR_ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{next(_msg_ids)}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[{event}]]></Event><EventKey><![CDATA[{key}]]></EventKey></xml>"
    )


def signed_query(token: str = WECHAT_TOKEN, age_seconds: int = 0) -> dict[str, str]:
    """timestamp, nonce and the signature WeChat computes over them (wechatpy's signer)."""
    timestamp, nonce = str(int(time.time()) - age_seconds), secrets.token_hex(5)
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return {"timestamp": timestamp, "nonce": nonce, "signature": signer.signature}


def post_plain(client: TestClient, xml: str, query: dict[str, str] | None = None) -> Response:
    """Push a plain-mode message."""
    return client.post("/channels/wechat", params=query or signed_query(), content=xml.encode())


def wechat_crypto() -> WeChatCrypto:
    """The official account's safe-mode crypto, as WeChat's side holds it."""
    return WeChatCrypto(WECHAT_TOKEN, WECHAT_AES_KEY, WECHAT_APP_ID)


def wecom_crypto() -> WeComCrypto:
    """The WeCom application's crypto, as WeCom's side holds it."""
    return WeComCrypto(WECOM_TOKEN, WECOM_AES_KEY, WECOM_CORP_ID)


def post_encrypted(
    client: TestClient, xml: str, path: str = "/channels/wechat"
) -> tuple[Response, dict[str, str]]:
    """Push a message encrypted by wechatpy; returns the response and the query used."""
    crypto = wecom_crypto() if path.endswith("wecom") else wechat_crypto()
    query = signed_query(WECOM_TOKEN if path.endswith("wecom") else WECHAT_TOKEN)
    envelope = xmltodict.parse(crypto.encrypt_message(xml, query["nonce"], query["timestamp"]))
    query = {**query, "encrypt_type": "aes", "msg_signature": envelope["xml"]["MsgSignature"]}
    body = (
        f"<xml><ToUserName><![CDATA[{OUR_ACCOUNT}]]></ToUserName>"
        f"<Encrypt><![CDATA[{envelope['xml']['Encrypt']}]]></Encrypt></xml>"
    )
    return client.post(path, params=query, content=body.encode()), query


def reply_of(
    response: Response, encrypted_with: WeChatCrypto | WeComCrypto | None = None
) -> dict[str, Any]:
    """The passive reply's fields; decrypted (and its signature checked) by wechatpy."""
    assert response.status_code == 200, response.text
    xml = response.text
    if encrypted_with is not None:
        envelope = xmltodict.parse(xml)["xml"]
        xml = encrypted_with.decrypt_message(
            xml, envelope["MsgSignature"], envelope["TimeStamp"], envelope["Nonce"]
        )
    parsed: dict[str, Any] = xmltodict.parse(xml)["xml"]
    return parsed
