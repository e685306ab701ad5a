"""WeChat's envelopes, opened and sealed by wechatpy: signatures, AES, message XML.

The official account signs plain messages with its token and, in safe mode,
encrypts them with the EncodingAESKey; WeCom always encrypts. Nothing here
re-implements WeChat's crypto: wechatpy does it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import wechatpy.enterprise
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.enterprise.crypto import WeChatCrypto as WeComCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException
from wechatpy.enterprise.replies import TextReply as WeComTextReply
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException, WeChatException
from wechatpy.replies import TextReply
from wechatpy.utils import check_signature

from channels.wechat.inbound import Inbound, from_wechatpy

# Entity declarations are refused before any parser sees them (billion laughs, XXE).
_FORBIDDEN_XML = (b"<!DOCTYPE", b"<!ENTITY", b"<!doctype", b"<!entity")
# A plain-mode signature covers the timestamp and nonce but not the body, so a query
# seen once (in a log, on a proxy) could carry forged messages; it is good this long.
PLAIN_SIGNATURE_SECONDS = 300


class BadSignature(Exception):
    """The request is not signed with the account's token (or key)."""


class BadMessage(Exception):
    """The body is not a message WeChat would send."""


@dataclass(frozen=True)
class Opened:
    """An opened message, and how the reply must be sealed."""

    message: Inbound
    encrypted: bool
    nonce: str
    timestamp: str


class WeChatEnvelope:
    """The official account's envelope: plain, or safe mode with an EncodingAESKey."""

    account = "wechat"

    def __init__(self, token: str, app_id: str, aes_key: str) -> None:
        self._token = token
        self._crypto = WeChatCrypto(token, aes_key, app_id) if aes_key else None

    def verify_url(self, query: Mapping[str, str]) -> str:
        """The echostr to answer when WeChat checks the server URL."""
        self._check(query)
        return query.get("echostr", "")

    def open(self, query: Mapping[str, str], body: bytes) -> Opened:
        """Check and, in safe mode, decrypt a pushed message."""
        _refuse_entities(body)
        nonce, timestamp = query.get("nonce", ""), query.get("timestamp", "")
        encrypted = query.get("encrypt_type", "raw").lower() == "aes"
        if not encrypted:
            self._check(query)
            if not _recent(timestamp):
                raise BadSignature("a plain-mode signature older than PLAIN_SIGNATURE_SECONDS")
            return Opened(_parse(self.account, body, parse_message), False, nonce, timestamp)
        if self._crypto is None:
            raise BadMessage("an encrypted message but no WECHAT_AES_KEY is set")
        xml = _decrypt(self._crypto, body, query.get("msg_signature", ""), timestamp, nonce)
        return Opened(_parse(self.account, xml, parse_message), True, nonce, timestamp)

    def seal(self, opened: Opened, text: str) -> str:
        """The passive reply's XML, encrypted when the message was."""
        message = opened.message
        xml = TextReply(source=message.to_user, target=message.openid, content=text).render()
        if opened.encrypted and self._crypto is not None:
            return str(self._crypto.encrypt_message(xml, opened.nonce, opened.timestamp))
        return str(xml)

    def _check(self, query: Mapping[str, str]) -> None:
        try:
            check_signature(
                self._token,
                query.get("signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
            )
        except InvalidSignatureException as exc:
            raise BadSignature("wrong signature") from exc


def _recent(timestamp: str) -> bool:
    return timestamp.isdigit() and abs(time.time() - int(timestamp)) <= PLAIN_SIGNATURE_SECONDS


class WeComEnvelope:
    """A WeCom self-built application's envelope: always encrypted."""

    account = "wecom"

    def __init__(self, token: str, corp_id: str, aes_key: str, agent_id: int) -> None:
        self._crypto = WeComCrypto(token, aes_key, corp_id)
        self._agent_id = agent_id

    def verify_url(self, query: Mapping[str, str]) -> str:
        """The decrypted echostr to answer when WeCom checks the callback URL."""
        try:
            echo = self._crypto.check_signature(
                query.get("msg_signature", ""),
                query.get("timestamp", ""),
                query.get("nonce", ""),
                query.get("echostr", ""),
            )
        except InvalidSignatureException as exc:
            raise BadSignature("wrong signature") from exc
        except (WeChatException, ValueError, TypeError, IndexError) as exc:
            raise BadMessage(f"echostr cannot be decrypted: {exc!r}") from exc
        return str(echo)

    def open(self, query: Mapping[str, str], body: bytes) -> Opened:
        """Check and decrypt a pushed message."""
        _refuse_entities(body)
        nonce, timestamp = query.get("nonce", ""), query.get("timestamp", "")
        xml = _decrypt(self._crypto, body, query.get("msg_signature", ""), timestamp, nonce)
        message = _parse(self.account, xml, wechatpy.enterprise.parse_message)
        return Opened(message, True, nonce, timestamp)

    def seal(self, opened: Opened, text: str) -> str:
        """The passive reply's XML, encrypted."""
        message = opened.message
        reply = WeComTextReply(
            source=message.to_user,
            target=message.openid,
            content=text,
            agent=message.agent_id or self._agent_id,
        )
        return str(self._crypto.encrypt_message(reply.render(), opened.nonce, opened.timestamp))


Envelope = WeChatEnvelope | WeComEnvelope


def _refuse_entities(body: bytes) -> None:
    if any(marker in body for marker in _FORBIDDEN_XML):
        raise BadMessage("XML with a document type or entities")


def _decrypt(
    crypto: WeChatCrypto | WeComCrypto, body: bytes, signature: str, timestamp: str, nonce: str
) -> str:
    try:
        xml = crypto.decrypt_message(body, signature, timestamp, nonce)
    except (InvalidSignatureException, InvalidAppIdException, InvalidCorpIdException) as exc:
        raise BadSignature("wrong msg_signature, or sealed for another account") from exc
    except Exception as exc:
        # Expat, base64, padding and id errors alike: what arrived is not WeChat's envelope.
        raise BadMessage(f"cannot decrypt: {exc!r}") from exc
    text = str(xml)
    _refuse_entities(text.encode("utf-8"))
    return text


def _parse(account: str, xml: str | bytes, parse: Callable[[str | bytes], Any]) -> Inbound:
    try:
        message = parse(xml)
        if message is None:
            raise BadMessage("empty body")
        return from_wechatpy(account, message)
    except BadMessage:
        raise
    except Exception as exc:
        raise BadMessage(f"not a WeChat message: {exc!r}") from exc
