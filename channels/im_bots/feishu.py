"""Feishu/Lark (飞书) app bot through event subscription (schema 2.0).

In: Feishu POSTs the `url_verification` challenge and events as JSON. With an
Encrypt Key the body is {"encrypt": base64(iv + AES-256-CBC(key=SHA256(Encrypt Key),
PKCS#7))} and events carry X-Lark-Signature = sha256_hex(X-Lark-Request-Timestamp +
X-Lark-Request-Nonce + Encrypt Key + raw body) (the URL check is not signed); every
body carries the Verification Token (schema 2.0: header.token; the challenge: token).
Only im.message.receive_v1 is answered. Out: POST
/open-apis/im/v1/messages?receive_id_type=open_id with a tenant_access_token from
POST /open-apis/auth/v3/tenant_access_token/internal; text, or an interactive card.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from channels.im_bots.api_client import ApiClient, Platform, Verdict, fetch_json
from channels.im_bots.rendering import Outgoing
from channels.wechat.access_tokens import ApiError
from channels.wechat.customer_service_api import SendOutcome
from channels.wechat.envelope import BadMessage, BadSignature
from channels.wechat.inbound import MAX_TEXT, Inbound

ACCOUNT = "feishu"
MESSAGE_EVENT = "im.message.receive_v1"
# Feishu's codes for an invalid or expired tenant_access_token.
TOKEN_REJECTED = {99991661, 99991663, 99991668}
KINDS = {"text": "text", "post": "text", "image": "image", "file": "attachment"}
_MENTION = re.compile(r"@_user_\d+\s*")


@dataclass(frozen=True)
class Opened:
    """An opened callback: the challenge to echo, a message to answer, or neither."""

    challenge: str | None = None
    message: Inbound | None = None


@dataclass(frozen=True)
class Signature:
    """The signature headers of an event."""

    timestamp: str
    nonce: str
    signature: str


class FeishuEnvelope:
    """Checks, decrypts and reads Feishu's callbacks."""

    def __init__(self, verification_token: str, encrypt_key: str) -> None:
        self._token = verification_token
        self._key = encrypt_key

    def open(self, signature: Signature, body: bytes) -> Opened:
        """The callback's content; BadSignature or BadMessage when it is not Feishu's."""
        raw = _object(body)
        if self._key:
            if not isinstance(raw.get("encrypt"), str):
                raise BadMessage("an encrypted body was expected")
            raw = _object(self.decrypt(raw["encrypt"]))
        if raw.get("type") == "url_verification":
            self._check_token(raw.get("token"))
            return Opened(challenge=str(raw.get("challenge") or ""))
        if self._key:
            self._check_signature(signature, body)
        header = raw.get("header")
        if not isinstance(header, dict):
            raise BadMessage("not a schema 2.0 event")
        self._check_token(header.get("token"))
        if header.get("event_type") != MESSAGE_EVENT:
            return Opened()
        try:
            return Opened(message=_message(str(header["event_id"]), raw["event"]))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise BadMessage(f"not a message event: {exc!r}") from exc

    def decrypt(self, encrypted: str) -> bytes:
        """The plain body of an `encrypt` field; BadMessage when it does not decrypt."""
        try:
            data = base64.b64decode(encrypted, validate=True)
            key = hashlib.sha256(self._key.encode()).digest()
            decryptor = Cipher(algorithms.AES(key), modes.CBC(data[:16])).decryptor()
            padded = decryptor.update(data[16:]) + decryptor.finalize()
            unpadder = padding.PKCS7(128).unpadder()
            return unpadder.update(padded) + unpadder.finalize()
        except ValueError as exc:
            raise BadMessage("the body does not decrypt with the Encrypt Key") from exc

    def _check_signature(self, signature: Signature, body: bytes) -> None:
        signed = (signature.timestamp + signature.nonce + self._key).encode() + body
        expected = hashlib.sha256(signed).hexdigest()
        if not hmac.compare_digest(expected.encode(), signature.signature.encode()):
            raise BadSignature("wrong X-Lark-Signature")

    def _check_token(self, token: object) -> None:
        if not isinstance(token, str) or not hmac.compare_digest(token, self._token):
            raise BadSignature("wrong verification token")


def _object(body: bytes) -> dict[str, Any]:
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise BadMessage("not JSON") from exc
    if not isinstance(raw, dict):
        raise BadMessage("not a JSON object")
    return raw


def _message(event_id: str, event: dict[str, Any]) -> Inbound:
    sender = event["sender"]["sender_id"]["open_id"]
    message = event["message"]
    kind = KINDS.get(str(message.get("message_type")), "other")
    text = _text(message) if kind == "text" else ""
    summary = text or f"[{message.get('message_type')}]"
    if not event_id or not sender:
        raise ValueError("event_id or sender missing")
    return Inbound(ACCOUNT, str(sender), "", f"event:{event_id}", kind, text, summary=summary)


def _text(message: dict[str, Any]) -> str:
    content = json.loads(str(message.get("content") or "{}"))
    if message.get("message_type") == "post":  # rich text: the text runs of its paragraphs
        lines = content.get("content") or []
        runs = [run.get("text", "") for line in lines for run in line if run.get("tag") == "text"]
        text = " ".join(runs)
    else:
        text = str(content.get("text") or "")
    return _MENTION.sub("", text).strip()[:MAX_TEXT]


class FeishuSender:
    """Sends text or an interactive card to a Feishu user (open_id)."""

    def __init__(self, api: ApiClient, base: str) -> None:
        self._api = api
        self._url = f"{base.rstrip('/')}/open-apis/im/v1/messages"

    async def send(self, user_id: str, message: Outgoing, _reply_to: str = "") -> SendOutcome:
        """Send one message to one user."""
        if message.is_card:
            kind, content = "interactive", _card(message)
        else:
            kind, content = "text", {"text": message.text}
        body = {
            "receive_id": user_id,
            "msg_type": kind,
            "content": json.dumps(content, ensure_ascii=False),
        }
        return await self._api.post(self._url, body, params={"receive_id_type": "open_id"})


def _card(message: Outgoing) -> dict[str, Any]:
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": message.title}},
        "elements": [{"tag": "markdown", "content": message.markdown}],
    }


def platform(base: str, app_id: str, app_secret: str) -> Platform:
    """Feishu's token endpoint, token header and answers."""
    url = f"{base.rstrip('/')}/open-apis/auth/v3/tenant_access_token/internal"

    async def fetch_token(http: httpx.AsyncClient, seconds: float) -> tuple[str, int]:
        body = await fetch_json(http, url, {"app_id": app_id, "app_secret": app_secret}, seconds)
        if body.get("code") != 0 or not body.get("tenant_access_token"):
            raise ApiError(_int(body.get("code")), str(body.get("msg") or body))
        return str(body["tenant_access_token"]), int(body.get("expire") or 7200)

    return Platform(fetch_token, lambda token: {"Authorization": f"Bearer {token}"}, _verdict)


def _verdict(status: int, answer: dict[str, Any]) -> Verdict:
    code = _int(answer.get("code"))
    if status == 200 and code == 0:
        return Verdict("sent")
    if code in TOKEN_REJECTED or status == 401:
        return Verdict("token_rejected", str(code))
    if status >= 500 or status == 429:
        return Verdict("busy", f"HTTP {status}")
    return Verdict("failed", f"{code}: {answer.get('msg') or status}")


def _int(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload,no-any-return]
    except (TypeError, ValueError):
        return None
