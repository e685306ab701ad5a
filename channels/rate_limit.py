"""Rate limits at the app's edge: logins, chat messages and the WeChat/WeCom endpoints.

Counted per client address in a moving window, in memory or, with REDIS_URL, in Redis
so that every app worker shares the counts. Guessing one account's password is also
stopped by the core's lock-out after five wrong passwords.
"""

from __future__ import annotations

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


class RateLimit:
    """ASGI middleware answering 429 with a Chinese message once a client passes a rule."""

    def __init__(self, app: ASGIApp, rules: Sequence[Rule], redis_url: str = "") -> None:
        self._app = app
        self._rules = rules
        storage = (
            storage_from_string(
                f"async+{redis_url}", implementation="redispy", wrap_exceptions=True
            )
            if redis_url
            else storage_from_string("async+memory://")
        )
        self._limiter = MovingWindowRateLimiter(storage)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        rule = self._rule_for(scope)
        if rule is not None:
            client = (scope.get("client") or ("unknown", 0))[0]
            if not await self._allowed(rule, client):
                await self._refuse(scope, send, rule, client)
                return
        await self._app(scope, receive, send)

    async def _allowed(self, rule: Rule, client: str) -> bool:
        try:
            return await self._limiter.hit(rule.limit, rule.name, client)
        except StorageError as exc:
            # Counting is down (Redis unreachable): serve rather than refuse everyone.
            log.warning("rate_limit_unavailable", rule=rule.name, error=str(exc)[:200])
            return True

    def _rule_for(self, scope: Scope) -> Rule | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "POST"):
            return None
        path: str = scope["path"]
        return next((r for r in self._rules if path.startswith(r.prefixes)), None)

    async def _refuse(self, scope: Scope, send: Send, rule: Rule, client: str) -> None:
        stats = await self._limiter.get_window_stats(rule.limit, rule.name, client)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        log.warning("rate_limited", rule=rule.name, client=client, path=scope["path"])
        body = json.dumps(
            {"error": {"code": "rate_limited", "message": MESSAGE}}, ensure_ascii=False
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"retry-after", str(retry_after).encode()),
            (b"content-length", str(len(body)).encode()),
        ]
        await send({"type": "http.response.start", "status": 429, "headers": headers})
        await send({"type": "http.response.body", "body": body})
