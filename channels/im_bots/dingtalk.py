"""DingTalk (钉钉) enterprise internal app robot in HTTP callback mode.

In: DingTalk POSTs each message as JSON with the headers `timestamp` (ms) and
`sign` = base64(HmacSHA256(key=appSecret, msg=timestamp + "\\n" + appSecret)); a
wrong sign or a timestamp more than an hour off is refused (DingTalk's robot
documentation). Out: within the turn through the message's `sessionWebhook` while it
is valid (and on a DingTalk host), otherwise through the robot's 1:1 send API
(POST /v1.0/robot/oToMessages/batchSend, token from POST /v1.0/oauth2/accessToken).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from channels.im_bots.api_client import ApiClient, Platform, Verdict, fetch_json
from channels.im_bots.rendering import Outgoing
from channels.wechat.access_tokens import ApiError
from channels.wechat.customer_service_api import SendOutcome
from channels.wechat.envelope import BadMessage, BadSignature
from channels.wechat.inbound import MAX_TEXT, Inbound

ACCOUNT = "dingtalk"
MAX_CLOCK_SKEW_MS = 60 * 60 * 1000
# Where DingTalk's session webhooks live; another host is never called.
WEBHOOK_HOSTS = ("oapi.dingtalk.com", "api.dingtalk.com")
KINDS = {"text": "text", "richText": "text", "picture": "image", "file": "attachment"}


@dataclass(frozen=True)
class DingTalkMessage:
    """An opened callback: the message and where to answer it within the turn."""

    message: Inbound
    session_webhook: str
    webhook_expires_ms: int


class DingTalkEnvelope:
    """Checks the signature of callbacks and reads their JSON."""

    def __init__(self, app_secret: str) -> None:
        self._secret = app_secret

    def open(self, timestamp: str, sign: str, body: bytes) -> DingTalkMessage:
        """The message; BadSignature for a wrong sign or old timestamp, BadMessage else."""
        if not timestamp.isdigit() or abs(int(timestamp) - _now_ms()) > MAX_CLOCK_SKEW_MS:
            raise BadSignature("timestamp missing or more than an hour off")
        if not hmac.compare_digest(sign.encode(), self.sign(timestamp).encode()):
            raise BadSignature("wrong sign")
        try:
            raw = json.loads(body)
            return _message(raw)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise BadMessage(str(exc)) from exc

    def sign(self, timestamp: str) -> str:
        """DingTalk's signature of a timestamp."""
        secret = self._secret.encode()
        digest = hmac.new(secret, f"{timestamp}\n{self._secret}".encode(), hashlib.sha256)
        return base64.b64encode(digest.digest()).decode()


def _message(raw: dict[str, Any]) -> DingTalkMessage:
    msg_id = str(raw["msgId"])
    user = str(raw.get("senderStaffId") or raw["senderId"])
    if not msg_id or not user:
        raise KeyError("msgId or sender")
    msgtype = str(raw.get("msgtype") or "")
    kind = KINDS.get(msgtype, msgtype or "other")
    text = _text(raw) if kind == "text" else ""
    summary = text or f"[{msgtype}]"
    message = Inbound(ACCOUNT, user, "", f"id:{msg_id}", kind, text, summary=summary)
    expires = raw.get("sessionWebhookExpiredTime")
    return DingTalkMessage(
        message, str(raw.get("sessionWebhook") or ""), int(expires) if expires else 0
    )


def _text(raw: dict[str, Any]) -> str:
    if raw.get("msgtype") == "richText":
        parts = (raw.get("content") or {}).get("richText") or []
        text = "".join(str(part.get("text") or "") for part in parts if isinstance(part, dict))
    else:
        text = str((raw.get("text") or {}).get("content") or "")
    return text.strip()[:MAX_TEXT]


class DingTalkSender:
    """Sends to DingTalk users: through the session webhook, else the robot's API."""

    def __init__(self, api: ApiClient, base: str, robot_code: str) -> None:
        self._api = api
        self._base = base.rstrip("/")
        self._robot_code = robot_code
        self._hosts = (*WEBHOOK_HOSTS, urlsplit(self._base).netloc)

    async def send(self, user_id: str, message: Outgoing, session_webhook: str) -> SendOutcome:
        """Send one message to one staff member."""
        if session_webhook and urlsplit(session_webhook).netloc in self._hosts:
            sent = await self._api.post_unsigned(session_webhook, _webhook_body(message))
            if sent.status == "sent":
                return sent
        key, param = _template(message)
        body = {
            "robotCode": self._robot_code,
            "userIds": [user_id],
            "msgKey": key,
            "msgParam": json.dumps(param, ensure_ascii=False),
        }
        return await self._api.post(f"{self._base}/v1.0/robot/oToMessages/batchSend", body)


def valid_webhook(opened: DingTalkMessage) -> str:
    """The session webhook while it is valid (a minute kept in hand), else ""."""
    if opened.webhook_expires_ms - 60_000 > _now_ms():
        return opened.session_webhook
    return ""


def platform(base: str, app_key: str, app_secret: str) -> Platform:
    """DingTalk's token endpoint, token header and answers."""
    url = f"{base.rstrip('/')}/v1.0/oauth2/accessToken"

    async def fetch_token(http: httpx.AsyncClient, seconds: float) -> tuple[str, int]:
        body = await fetch_json(http, url, {"appKey": app_key, "appSecret": app_secret}, seconds)
        if not body.get("accessToken"):
            raise ApiError(None, str(body.get("message") or body))
        return str(body["accessToken"]), int(body.get("expireIn") or 7200)

    return Platform(fetch_token, lambda token: {"x-acs-dingtalk-access-token": token}, _verdict)


def _verdict(status: int, answer: dict[str, Any]) -> Verdict:
    if status == 200:
        refused = answer.get("invalidStaffIdList") or answer.get("flowControlledStaffIdList")
        return Verdict("failed", f"refused: {refused}") if refused else Verdict("sent")
    if status in (401, 403) or "token" in str(answer.get("code", "")).lower():
        return Verdict("token_rejected", str(answer.get("code")))
    if status >= 500 or status == 429:
        return Verdict("busy", f"HTTP {status}")
    return Verdict("failed", str(answer.get("code") or f"HTTP {status}"))


def _webhook_body(message: Outgoing) -> dict[str, Any]:
    if message.is_card:
        return {
            "msgtype": "markdown",
            "markdown": {"title": message.title, "text": message.markdown},
        }
    return {"msgtype": "text", "text": {"content": message.text}}


def _template(message: Outgoing) -> tuple[str, dict[str, str]]:
    if message.is_card:
        return "sampleMarkdown", {"title": message.title, "text": message.markdown}
    return "sampleText", {"content": message.text}


def _now_ms() -> int:
    return int(time.time() * 1000)
