"""The core's answer to an action the user took outside a chat turn, as the bot's reply.

A success becomes a card of the given type carrying the core's JSON; a request the
company's approval rules held back (202, the body an approval request) is told as
waiting, in the bot's words (bot/domain.yml utter_held_for_approval); a refusal the
core's Chinese message (or a general one when the core said nothing usable).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from channels.conversations.model import Reply

FALLBACK = "操作没有成功，请稍后再试。"
HELD = (
    "已提交审批（审批单 {id}）：{reasons}。审批通过后将以您的名义{action}，现在还没有{action}；"
    "{deadline} 前无人处理，申请将自动失效。"
)
SHANGHAI = ZoneInfo("Asia/Shanghai")


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
    if response.status_code == httpx.codes.ACCEPTED:
        return Reply(held(body))
    if response.is_success:
        return Reply("", card={**card, **body})
    error = body.get("error") or {}
    return Reply(str(error.get("message") or FALLBACK))


def held(request: dict[str, Any]) -> str:
    """What a request held for approval waits for, and until when (China time)."""
    deadline = datetime.fromisoformat(request["deadline"]).astimezone(SHANGHAI)
    return HELD.format(
        id=request["id"],
        reasons="；".join(request["reasons"]),
        action=request["action_label"],
        deadline=f"{deadline:%Y-%m-%d %H:%M}",
    )
