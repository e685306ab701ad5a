"""The app's HTTP API as the actions see it: a service credential plus the conversation id.

The app decides what the conversation's user may do; the actions only relay. An error
keeps the API's code and Chinese message; when the app does not answer there is no
message, only the code "unavailable", and the bot says so in its own words (replies.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp

TIMEOUT_SECONDS = 15


class ApiError(Exception):
    """The app refused a request ({"error": {"code", "message", "field"?}}) or did not answer."""

    def __init__(self, status: int, code: str, message: str, field: str | None = None) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.field = field

    @property
    def needs_login(self) -> bool:
        """The conversation has no logged-in user (401)."""
        return self.status == 401


@dataclass(frozen=True)
class ApiSettings:
    """Where the app answers and the credential; read when an action runs, not at import."""

    base_url: str
    token: str

    @classmethod
    def from_env(cls) -> ApiSettings:
        """APP_URL and ACTIONS_TOKEN, exported by scripts/rasa-env.sh."""
        base = os.environ.get("APP_URL", "http://127.0.0.1:8000").rstrip("/")
        return cls(f"{base}/api/v1", os.environ.get("ACTIONS_TOKEN", ""))


class AppApi:
    """Calls the app's API for one conversation."""

    def __init__(self, conversation_id: str, settings: ApiSettings | None = None) -> None:
        self._conversation_id = conversation_id
        self._settings = settings or ApiSettings.from_env()

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET a JSON resource."""
        return await self._request("GET", path, params=_clean(params))

    async def post(self, path: str, body: dict[str, Any], key: str | None = None) -> Any:
        """POST JSON; `key` becomes the Idempotency-Key so a retry issues nothing twice."""
        headers = {"Idempotency-Key": key} if key else {}
        return await self._request("POST", path, json=body, headers=headers)

    async def _request(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        all_headers = {**self._identity(), **(headers or {})}
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with (
                aiohttp.ClientSession(timeout=timeout) as session,
                session.request(
                    method,
                    self._settings.base_url + path,
                    params=params,
                    json=json,
                    headers=all_headers,
                ) as response,
            ):
                body = await _json(response)
                if response.status >= 400:
                    raise _error(response.status, body)
                return body
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ApiError(503, "unavailable", "") from exc

    def _identity(self) -> dict[str, str]:
        return {
            "Authorization": f"Bearer {self._settings.token}",
            "X-Conversation-Id": self._conversation_id,
        }


def invoice_path(number: str, suffix: str = "") -> str:
    """/invoices/{number}[/suffix], the number escaped."""
    return f"/invoices/{quote(number, safe='')}{suffix}"


async def _json(response: aiohttp.ClientResponse) -> Any:
    try:
        return await response.json(content_type=None)
    except ValueError:
        return None


def _error(status: int, body: Any) -> ApiError:
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or not error.get("message"):
        # Not the app's own refusal (a proxy's page, an empty body): nothing to show.
        return ApiError(status, "http_error", "")
    field = error.get("field")
    return ApiError(
        status,
        str(error.get("code", "error")),
        str(error["message"]),
        str(field) if field is not None else None,
    )


def _clean(params: dict[str, Any] | None) -> dict[str, str] | None:
    if params is None:
        return None
    return {key: str(value) for key, value in params.items() if value not in (None, "")}
