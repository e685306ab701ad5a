"""Alibaba Cloud SMS `SendSms` (dysmsapi 2017-05-25), RPC style with signature V2.

The request, as Alibaba Cloud's "signature method" page describes it: every parameter
but `Signature`, sorted by name, each name and value percent-encoded (RFC 3986: only
A–Z a–z 0–9 - _ . ~ stay; a space is %20) and joined as k=v with &; the string to sign
is "GET&%2F&" + percentEncode(that query); `Signature` is
Base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)), sent with the others.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from urllib.parse import quote

import httpx

from channels.notifications.outbox import Notification
from channels.notifications.ways import DeliveryFailed


def percent_encode(text: str) -> str:
    return quote(text, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{percent_encode(name)}={percent_encode(params[name])}" for name in sorted(params)
    )


def signature(secret: str, params: Mapping[str, str], method: str = "GET") -> str:
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical_query(params))}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSms:
    """Sends the configured template (SMS_TEMPLATE_CODE) with ${title} as its one variable."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        template_code: str,
        api_base: str = "https://dysmsapi.aliyuncs.com",
        timeout: float = 10.0,
        nonce: Callable[[], str] = lambda: uuid.uuid4().hex,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._http = http
        self._key_id = access_key_id
        self._secret = access_key_secret
        self._sign_name = sign_name
        self._template = template_code
        self._base = api_base.rstrip("/")
        self._timeout = timeout
        self._nonce = nonce
        self._clock = clock

    def request_params(self, phone: str, notification: Notification) -> dict[str, str]:
        """The signed query of one SendSms call."""
        params = {
            "AccessKeyId": self._key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self._sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": self._nonce(),
            "SignatureVersion": "1.0",
            "TemplateCode": self._template,
            # A template variable holds at most 35 characters.
            "TemplateParam": json.dumps({"title": notification.title[:35]}, ensure_ascii=False),
            "Timestamp": self._clock().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        return {**params, "Signature": signature(self._secret, params)}

    async def send(self, phone: str, notification: Notification) -> None:
        params = self.request_params(phone, notification)
        # Signature last, the rest in signing order, all encoded as signed.
        signed = {name: value for name, value in params.items() if name != "Signature"}
        url = f"{self._base}/?{canonical_query(signed)}"
        url += f"&Signature={percent_encode(params['Signature'])}"
        try:
            response = await self._http.get(url, timeout=self._timeout)
            answer = response.json()
        except (httpx.HTTPError, ValueError) as failure:
            raise DeliveryFailed(f"短信服务无法访问：{type(failure).__name__}") from failure
        if answer.get("Code") != "OK":
            raise DeliveryFailed(f"短信发送失败：{answer.get('Code')} {answer.get('Message')}")
