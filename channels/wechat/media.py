"""Fetching a picture a user sent (image messages carry only its MediaId).

WeChat and WeCom both serve it at `/cgi-bin/media/get`: the bytes on success, a JSON
error otherwise. A rejected token is refreshed and the fetch tried once more; anything
else (an expired id, a network failure) gives None. A file is read no further than one
byte past the limit, so that the core refuses it as too large in its own words.
"""

from __future__ import annotations

import json

import httpx
import structlog

from channels.wechat.access_tokens import AccessTokens, ApiError
from channels.wechat.customer_service_api import TOKEN_REJECTED

log = structlog.get_logger(__name__)


class MediaDownloads:
    """One account's media, fetched by id."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        tokens: AccessTokens,
        url: str,
        timeout_seconds: float,
        max_bytes: int,
    ) -> None:
        self._http = http
        self._tokens = tokens
        self._url = url
        self._timeout = timeout_seconds
        self.max_bytes = max_bytes

    async def download(self, media_id: str) -> bytes | None:
        """The media's bytes, or None when they cannot be had."""
        try:
            token = await self._tokens.get()
            data, errcode = await self._fetch(token, media_id)
            if errcode in TOKEN_REJECTED:
                data, errcode = await self._fetch(await self._tokens.refresh(token), media_id)
        except (ApiError, httpx.HTTPError, ValueError) as exc:
            log.warning("wechat_media_unavailable", media_id=media_id, error=repr(exc))
            return None
        if data is None:
            log.warning("wechat_media_refused", media_id=media_id, errcode=errcode)
        return data

    async def _fetch(self, token: str, media_id: str) -> tuple[bytes | None, int | None]:
        params = {"access_token": token, "media_id": media_id}
        async with self._http.stream(
            "GET", self._url, params=params, timeout=self._timeout
        ) as response:
            if response.status_code != 200:
                return None, None
            if "json" in response.headers.get("content-type", ""):
                body = json.loads(await response.aread() or b"{}")
                return None, int(body.get("errcode") or 0) if isinstance(body, dict) else None
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > self.max_bytes:
                    return bytes(data[: self.max_bytes + 1]), None
            return bytes(data), None
