"""A platform's send API behind an app access token: cached, refreshed when rejected,
retried on timeouts and busy answers (the WeChat channel's RetryPolicy and SendOutcome).

DingTalk and Feishu differ only in how a token is fetched and how an answer reads;
each gives a `Platform` of three small functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import structlog

from channels.wechat.access_tokens import ApiError
from channels.wechat.customer_service_api import RetryPolicy, SendOutcome

log = structlog.get_logger(__name__)

# Refreshed this long before the platform says it expires.
REFRESH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class Verdict:
    """How the platform answered a send: sent, token rejected, retry, or failed."""

    status: str  # sent | token_rejected | busy | failed
    reason: str | None = None


@dataclass(frozen=True)
class Platform:
    """What differs between the platforms' APIs."""

    # Fetch a token: (token, seconds it lives); ApiError when refused.
    fetch_token: Callable[[httpx.AsyncClient, float], Awaitable[tuple[str, int]]]
    # The headers that carry the token.
    auth: Callable[[str], dict[str, str]]
    # Read an answer (HTTP status, JSON body or {}).
    verdict: Callable[[int, dict[str, Any]], Verdict]


class ApiClient:
    """Posts JSON to one platform's API with its token (one per process, in memory)."""

    def __init__(self, http: httpx.AsyncClient, platform: Platform, policy: RetryPolicy) -> None:
        self._http = http
        self._platform = platform
        self._policy = policy
        self._token: tuple[str, datetime] | None = None
        self._refreshing = asyncio.Lock()

    async def post(
        self, url: str, body: dict[str, Any], params: dict[str, str] | None = None
    ) -> SendOutcome:
        """Post `body` to `url`, refreshing a rejected token once and retrying busy answers."""
        refreshed, attempt, reason = False, 0, "not_tried"
        while attempt < self._policy.attempts:
            attempt += 1
            try:
                token = await self._current()
                status, answer = await self._post(url, body, params, token)
            except ApiError as exc:
                reason = f"token_unavailable: {exc}"
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                reason = f"network: {type(exc).__name__}"
            else:
                verdict = self._platform.verdict(status, answer)
                if verdict.status == "sent":
                    return SendOutcome("sent", attempts=attempt)
                if verdict.status == "token_rejected" and not refreshed:
                    refreshed, attempt, self._token = True, attempt - 1, None
                    continue
                if verdict.status != "busy":
                    return SendOutcome("failed", verdict.reason, None, attempt)
                reason = verdict.reason or "busy"
            await asyncio.sleep(self._policy.backoff_seconds * 2 ** (attempt - 1))
        return SendOutcome("failed", reason, None, attempt)

    async def post_unsigned(self, url: str, body: dict[str, Any]) -> SendOutcome:
        """Post to a URL that carries its own credential (DingTalk's sessionWebhook), once."""
        try:
            response = await self._http.post(url, json=body, timeout=self._policy.timeout_seconds)
            answer = _json(response)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            return SendOutcome("failed", f"network: {type(exc).__name__}")
        errcode = answer.get("errcode")
        if response.status_code == 200 and not errcode:
            return SendOutcome("sent")
        return SendOutcome("failed", str(answer.get("errmsg") or response.status_code))

    async def _current(self) -> str:
        async with self._refreshing:
            if self._token is None or self._token[1] - datetime.now(UTC) < REFRESH_MARGIN:
                token, seconds = await self._platform.fetch_token(
                    self._http, self._policy.timeout_seconds
                )
                self._token = (token, datetime.now(UTC) + timedelta(seconds=seconds))
            return self._token[0]

    async def _post(
        self, url: str, body: dict[str, Any], params: dict[str, str] | None, token: str
    ) -> tuple[int, dict[str, Any]]:
        response = await self._http.post(
            url,
            json=body,
            params=params,
            headers=self._platform.auth(token),
            timeout=self._policy.timeout_seconds,
        )
        return response.status_code, _json(response)


async def fetch_json(
    http: httpx.AsyncClient, url: str, body: dict[str, str], seconds: float
) -> dict[str, Any]:
    """POST a token request; its JSON answer, or ApiError."""
    try:
        response = await http.post(url, json=body, timeout=seconds)
    except httpx.HTTPError as exc:
        raise ApiError(None, f"token request failed: {exc!r}") from exc
    return _json(response)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
