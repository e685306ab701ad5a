"""Rate limits at the app's edge: logins, chat, knowledge search, WeChat/WeCom, tickets
and new guest conversations.

Counted per client address in a moving window, in memory or, with REDIS_URL, in Redis
so that every app worker shares the counts. HTTP requests are counted by the RateLimit
middleware by path; the widget's socket (chat_socket) counts its messages against the
same "chat" rule, and its tickets ("ticket") and new guest conversations ("guest", also
counted by POST /api/v1/chat) by name. The action server's calls (the service
credential) are not counted by address: it speaks for every user from one address, and
each user's message was counted already. Guessing one account's password is also
stopped by the core's lock-out.
"""

from __future__ import annotations

import hmac
import json
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import structlog
from limits import RateLimitItem, parse
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from starlette.types import ASGIApp, Receive, Scope, Send

from channels.web.errors import ClientError

log = structlog.get_logger(__name__)
MESSAGE = "请求过于频繁，请稍后再试。"


@dataclass(frozen=True)
class Rule:
    """A limit on the requests whose path starts with one of `prefixes`."""

    name: str
    prefixes: tuple[str, ...]
    limit: RateLimitItem

    @classmethod
    def of(cls, name: str, prefixes: Sequence[str], limit: str) -> Rule:
        """A rule from a limit written like "30/minute"."""
        return cls(name, tuple(prefixes), parse(limit))


class RateLimited(ClientError):
    """A client passed a rule; it may try again after `retry_after` seconds."""

    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("rate_limited", MESSAGE)
        self.retry_after = retry_after


class Limits:
    """The app's rules and their counts, shared by every place that enforces them."""

    def __init__(self, rules: Sequence[Rule], redis_url: str = "") -> None:
        self._rules = rules
        storage = (
            storage_from_string(
                f"async+{redis_url}", implementation="redispy", wrap_exceptions=True
            )
            if redis_url
            else storage_from_string("async+memory://")
        )
        self._limiter = MovingWindowRateLimiter(storage)

    def rule_for(self, path: str) -> Rule | None:
        """The rule that counts requests to `path`, if any."""
        return next((r for r in self._rules if path.startswith(r.prefixes)), None)

    def rule(self, name: str) -> Rule:
        """The rule called `name`."""
        return next(r for r in self._rules if r.name == name)

    async def hit(self, rule: Rule, client: str) -> None:
        """Count one request of `client`; RateLimited when it is one too many."""
        try:
            if await self._limiter.hit(rule.limit, rule.name, client):
                return
            stats = await self._limiter.get_window_stats(rule.limit, rule.name, client)
        except StorageError as exc:
            # Counting is down (Redis unreachable): serve rather than refuse everyone.
            log.warning("rate_limit_unavailable", rule=rule.name, error=str(exc)[:200])
            return
        log.warning("rate_limited", rule=rule.name, client=client)
        raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))


class RateLimit:
    """ASGI middleware answering 429 with a Chinese message once a client passes a rule."""

    def __init__(self, app: ASGIApp, limits: Limits, service_token: str) -> None:
        self._app = app
        self._limits = limits
        self._service = f"Bearer {service_token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        counted = (
            scope["type"] == "http"
            and scope["method"] in ("GET", "POST")
            and not self._from_the_service(scope)
        )
        rule = self._limits.rule_for(scope["path"]) if counted else None
        if rule is not None:
            try:
                await self._limits.hit(rule, client_address(scope))
            except RateLimited as refused:
                await _refuse(send, refused)
                return
        await self._app(scope, receive, send)

    def _from_the_service(self, scope: Scope) -> bool:
        presented = dict(scope["headers"]).get(b"authorization", b"")
        return hmac.compare_digest(presented, self._service)


def client_address(scope: Scope) -> str:
    """The address the counts are kept under: who connected, or whom a proxy of
    FORWARDED_ALLOW_IPS forwarded for (the app's outermost middleware sets it)."""
    return str((scope.get("client") or ("unknown", 0))[0])


async def _refuse(send: Send, refused: RateLimited) -> None:
    body = json.dumps(refused.body(), ensure_ascii=False).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"retry-after", str(refused.retry_after).encode()),
        (b"content-length", str(len(body)).encode()),
    ]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": body})
