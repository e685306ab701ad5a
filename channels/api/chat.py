"""POST /api/v1/chat: one chat turn over plain HTTP."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field, StringConstraints

from channels.api.dependencies import Caller, ServicesDep
from channels.conversations.model import ConversationState, Role
from channels.web.rate_limit import client_address

router = APIRouter(tags=["chat"])

MessageText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)
]


class ChatRequest(BaseModel):
    """What the user said, in a new or an existing conversation."""

    conversation_id: UUID | None = None
    message: MessageText


class Button(BaseModel):
    """A quick reply: what it shows and what it sends back."""

    title: str
    payload: str


class ChatMessage(BaseModel):
    """A message of the turn."""

    role: Role
    text: str
    buttons: list[Button] | None = None
    card: dict[str, Any] | None = None


class ChatResponse(BaseModel):
    """The conversation's id and state, and the replies of this turn."""

    conversation_id: UUID
    state: ConversationState
    messages: list[ChatMessage] = Field(default_factory=list)


@router.post("/chat", response_model=ChatResponse, response_model_exclude_none=True)
async def chat(
    request: ChatRequest, services: ServicesDep, username: Caller, http: Request
) -> dict[str, Any]:
    """向助手发送一条消息并取得回复；登录后（带访问令牌）可办理发票业务。"""
    conversation_id = str(request.conversation_id) if request.conversation_id else None
    if conversation_id is None and username is None:
        limits = services.limits
        await limits.hit(limits.rule("guest"), client_address(http.scope))
    turn = await services.chat.handle(conversation_id, request.message, "api", username)
    return {
        "conversation_id": turn.conversation.id,
        "state": turn.conversation.state,
        "messages": [message.to_json() for message in turn.replies],
    }
