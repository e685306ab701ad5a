"""POST /api/v1/chat/recognition(/record): an invoice read, then recorded, in the chat.

The user sends a photo, scan, PDF or OFD of an invoice they received; the core reads
it (POST /api/v1/recognitions) and the fields come back as a card to check. Only the
user's choice on the card records it in the company's received-invoice ledger (POST
/api/v1/received-invoices), where a second record of the same invoice is refused.
Both steps are kept in the conversation (channels/api/core_turns.py).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from channels.api.core_turns import core_turn
from channels.api.dependencies import Caller, ServicesDep
from channels.web.errors import Unauthorized

router = APIRouter(tags=["chat"])


class RecordIn(BaseModel):
    """The recognition to record, from its card."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: UUID = Field(description="所在会话")
    recognition_id: str = Field(
        min_length=1, max_length=32, pattern=r"^[0-9a-f]+$", description="识别结果编号"
    )
    corrections: dict[str, str] = Field(
        default_factory=dict, max_length=30, description="用户更正的字段：字段名 → 值"
    )


@router.post("/chat/recognition")
async def chat_recognition(
    request: Request,
    services: ServicesDep,
    username: Caller,
    conversation_id: Annotated[UUID, Form(description="所在会话")],
    file: Annotated[UploadFile, File(description="发票照片、扫描件、PDF 或 OFD")],
) -> Any:
    """在会话中识别一张收到的发票；识别结果以卡片记入会话，确认后才录入收票台账。"""
    if username is None:
        raise Unauthorized("not_logged_in", "请先登录后再识别发票。")
    conversation = await services.chat.conversation_for(str(conversation_id), username)
    name = (file.filename or "未命名文件")[:100]
    # Read no more than a file may hold plus one byte: the core then refuses it as too large.
    content = await file.read(services.max_upload_bytes + 1)
    upload = (name, content, file.content_type or "application/octet-stream")
    call = ("POST", "/api/v1/recognitions", {"files": {"file": upload}})
    card = {"type": "recognition", "filename": name}
    return await core_turn(request, services, conversation, f"上传发票：{name}", call, card)


@router.post("/chat/recognition/record")
async def chat_record_recognition(
    request: Request, services: ServicesDep, username: Caller, body: RecordIn
) -> Any:
    """把会话中识别的发票录入收票台账；同一张发票已录入过时给出录入时间、录入人和状态。"""
    if username is None:
        raise Unauthorized("not_logged_in", "请先登录后再录入发票。")
    conversation = await services.chat.conversation_for(str(body.conversation_id), username)
    record = {"recognition_id": body.recognition_id, "corrections": body.corrections}
    call = ("POST", "/api/v1/received-invoices", {"json": record})
    card = {"type": "received_invoice", "recognition_id": body.recognition_id}
    return await core_turn(request, services, conversation, "录入收票台账", call, card)
