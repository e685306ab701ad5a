"""A widget action carried out by the core's API and kept in the conversation as a turn.

Batch files and recognised invoices work the same way: the user's action goes to the
core in-process with the user's own token (the core decides everything), and what the
user did and the core's answer (a card, or the refusal in words) are stored like a chat
turn, so a reload and the agent's console show them.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from channels.api.dependencies import Services
from channels.chat.core_replies import core_body, reply_from_core
from channels.conversations.model import Conversation
from channels.web.core_call import call_core


async def core_turn(
    request: Request,
    services: Services,
    conversation: Conversation,
    said: str,
    call: tuple[str, str, dict[str, Any]],
    card: dict[str, Any],
) -> Any:
    """Call the core (`call` is method, path and httpx arguments) and record the turn.

    A 2xx answer becomes a card of `card`'s type (and fields) with the core's JSON; any
    other keeps the core's status and error, with the turn's messages added.
    """
    method, path, arguments = call
    headers = {"Authorization": request.headers.get("authorization", "")}
    response = await call_core(request.app, method, path, headers, **arguments)
    turn = await services.chat.record(conversation, said, reply_from_core(response, card))
    frames = [message.to_frame() for message in turn.replies]
    if not response.is_success:
        body = core_body(response)
        return JSONResponse({**body, "messages": frames}, status_code=response.status_code)
    return {"conversation_id": turn.conversation.id, "messages": frames}
