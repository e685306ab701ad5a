"""Sending one text through the customer-service message API (WeCom: application messages).

Expired or revoked tokens (40001, 40014, 42001) are refreshed and the send retried
once; timeouts, network errors and 5xx answers are retried with backoff; 45015 (the
user's 48-hour window has closed) and 45047 (the message budget is spent) are final.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from channels.wechat.access_tokens import AccessTokens, ApiError

log = structlog.get_logger(__name__)

TOKEN_REJECTED = {40001, 40014, 42001}
UNDELIVERABLE = {
    45015: "outside_48h_window",
    45047: "message_budget_exceeded",
    43004: "unsubscribed",
}


@dataclass(frozen=True)
class SendOutcome:
    """What became of one message: sent, undeliverable (final) or failed (gave up)."""

    status: str
    reason: str | None = None
    errcode: int | None = None
    attempts: int = 1


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently to try."""

    attempts: int = 3
    backoff_seconds: float = 0.5
    timeout_seconds: float = 5.0


class CustomerServiceApi:
    """Sends texts to one account's users."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: AccessTokens,
        send_url: str,
        payload: Callable[[str, str], dict[str, Any]],
        policy: RetryPolicy,
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._send_url = send_url
        self._payload = payload
        self._policy = policy

    async def send_text(self, touser: str, text: str) -> SendOutcome:
        """Send `text` to `touser`, retrying as the module says."""
        body = json.dumps(self._payload(touser, text), ensure_ascii=False).encode("utf-8")
        refreshed, attempt, reason = False, 0, "not_tried"
        while attempt < self._policy.attempts:
            attempt += 1
            try:
                token = await self._tokens.get()
                answer = await self._post(token, body)
            except ApiError as exc:
                reason = f"token_unavailable: {exc}"
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                reason = f"network: {type(exc).__name__}"
            else:
                errcode = int(answer.get("errcode") or 0)
                if errcode == 0:
                    return SendOutcome("sent", attempts=attempt)
                if errcode in TOKEN_REJECTED and not refreshed:
                    refreshed, attempt = True, attempt - 1  # the retry after a refresh is free
                    await self._refresh(token)
                    continue
                if errcode in UNDELIVERABLE:
                    return SendOutcome("undeliverable", UNDELIVERABLE[errcode], errcode, attempt)
                if errcode != -1:  # -1: WeChat is busy, worth another try
                    return SendOutcome("failed", str(answer.get("errmsg")), errcode, attempt)
                reason = "busy"
            await asyncio.sleep(self._policy.backoff_seconds * 2 ** (attempt - 1))
        return SendOutcome("failed", reason, None, attempt)

    async def _post(self, token: str, body: bytes) -> dict[str, Any]:
        response = await self._http.post(
            self._send_url,
            params={"access_token": token},
            content=body,
            headers={"content-type": "application/json; charset=utf-8"},
            timeout=self._policy.timeout_seconds,
        )
        if response.status_code >= 500:
            return {"errcode": -1, "errmsg": f"HTTP {response.status_code}"}
        try:
            answer: dict[str, Any] = response.json()
        except ValueError:
            return {"errcode": -1, "errmsg": "not JSON"}
        return answer

    async def _refresh(self, rejected: str) -> None:
        try:
            await self._tokens.refresh(rejected)
        except ApiError as exc:
            log.warning("wechat_token_refresh_failed", error=str(exc))
