"""The core's own HTTP API, called in-process by the app acting for one user.

The chat routes that act on invoices (batch files, recognised invoices) and the
console's customer panel go through the same endpoints and checks as any client,
with the user's own token, so the channels need no access to the core's internals.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx
from starlette.types import ASGIApp


async def call_core(
    app: ASGIApp, method: str, path: str, headers: dict[str, str], **request: Any
) -> httpx.Response:
    """The core's response to one request (`request` as for httpx: params, json, files, data)."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://app.internal") as client:
        return await client.request(method, path, headers=headers, **request)


class CoreForConversation(Protocol):
    """The core's API called as a conversation's user (the channels' own acting path)."""

    async def __call__(
        self, method: str, path: str, conversation_id: str, **request: Any
    ) -> httpx.Response: ...


def acting_for_conversations(app: ASGIApp, actions_token: str) -> CoreForConversation:
    """Calls made with the app's acting token and the conversation's id: the core acts as
    that conversation's logged-in or bound user, and refuses (401) when there is none."""

    async def act(method: str, path: str, conversation_id: str, **request: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {actions_token}", "X-Conversation-Id": conversation_id}
        return await call_core(app, method, path, headers, **request)

    return act
