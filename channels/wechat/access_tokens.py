"""Access tokens of WeChat's (or WeCom's) API: cached, shared by workers, refreshed early.

One refresh at a time per process (a lock); workers share the token through the
database, so a restart or a second worker reuses it instead of fetching another.
Two workers refreshing at the same moment is tolerated: WeChat keeps the previous
token valid for a few minutes after issuing a new one.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from anyio import to_thread
from sqlalchemy import Engine, delete, insert, select

from channels.wechat.tables import wechat_access_tokens

# Refreshed this long before WeChat says it expires.
REFRESH_MARGIN = timedelta(minutes=5)


class ApiError(Exception):
    """WeChat's API answered with an error code (or not at all)."""

    def __init__(self, errcode: int | None, message: str) -> None:
        super().__init__(f"{errcode}: {message}")
        self.errcode = errcode


@dataclass(frozen=True)
class TokenSource:
    """Where and with which credentials an account gets its access token."""

    account: str
    url: str
    params: dict[str, str]


class AccessTokens:
    """The account's current access token."""

    def __init__(
        self, engine: Engine, http: httpx.AsyncClient, source: TokenSource, timeout: float
    ) -> None:
        self._engine = engine
        self._http = http
        self._source = source
        self._timeout = timeout
        self._cached: tuple[str, datetime] | None = None
        self._refreshing = asyncio.Lock()

    async def get(self) -> str:
        """A token valid for at least a few more minutes."""
        if self._fresh(self._cached):
            return self._cached[0]  # type: ignore[index]
        async with self._refreshing:
            if not self._fresh(self._cached):
                self._cached = await to_thread.run_sync(self._stored)
            if not self._fresh(self._cached):
                self._cached = await self._fetch()
            return self._cached[0]  # type: ignore[index]

    async def refresh(self, rejected: str) -> str:
        """A new token after WeChat rejected `rejected` (expired or revoked early)."""
        async with self._refreshing:
            if self._cached is not None and self._cached[0] != rejected:
                return self._cached[0]  # another request refreshed it meanwhile
            self._cached = await self._fetch()
            return self._cached[0]

    @staticmethod
    def _fresh(cached: tuple[str, datetime] | None) -> bool:
        return cached is not None and cached[1] - datetime.now(UTC) > REFRESH_MARGIN

    def _stored(self) -> tuple[str, datetime] | None:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(wechat_access_tokens).where(
                    wechat_access_tokens.c.account == self._source.account
                )
            ).first()
        return None if row is None else (row.token, row.expires_at)

    async def _fetch(self) -> tuple[str, datetime]:
        try:
            response = await self._http.get(
                self._source.url, params=self._source.params, timeout=self._timeout
            )
            body: dict[str, Any] = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise ApiError(None, f"token request failed: {exc!r}") from exc
        if not body.get("access_token"):
            raise ApiError(int(body.get("errcode") or -1), str(body.get("errmsg") or body))
        token = str(body["access_token"])
        expires_at = datetime.now(UTC) + timedelta(seconds=int(body.get("expires_in") or 7200))
        await to_thread.run_sync(self._store, token, expires_at)
        return token, expires_at

    def _store(self, token: str, expires_at: datetime) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                delete(wechat_access_tokens).where(
                    wechat_access_tokens.c.account == self._source.account
                )
            )
            connection.execute(
                insert(wechat_access_tokens).values(
                    account=self._source.account, token=token, expires_at=expires_at
                )
            )
