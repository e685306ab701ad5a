"""The core's answer to an action the user took outside a chat turn, as the bot's reply.

A success becomes a card of the given type carrying the core's JSON; a refusal the
core's Chinese message (or a general one when the core said nothing usable).
"""

from __future__ import annotations

from typing import Any

import httpx

from channels.conversations.model import Reply

FALLBACK = "操作没有成功，请稍后再试。"


def core_body(response: httpx.Response) -> dict[str, Any]:
    """The response's JSON object, or {} when it carries none."""
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def reply_from_core(response: httpx.Response, card: dict[str, Any]) -> Reply:
    """The reply the conversation keeps for the core's `response`."""
    body = core_body(response)
    if response.is_success:
        return Reply("", card={**card, **body})
    error = body.get("error") or {}
    return Reply(str(error.get("message") or FALLBACK))
