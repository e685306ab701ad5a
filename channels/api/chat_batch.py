"""POST /api/v1/chat/batch: a batch file checked or issued within the user's conversation.

The file goes to the invoicing API in-process with the user's own token, and the
preview or result is kept in the conversation (channels/api/core_turns.py).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, File, Form, Request, UploadFile

from channels.api.core_turns import core_turn
from channels.api.dependencies import Caller, ServicesDep
from channels.web.errors import Unauthorized

router = APIRouter(tags=["chat"])
Mode = Literal["preview", "issue", "issue_valid"]
# Per mode: the core's endpoint, what the user did (as the transcript says it), the card.
_MODES: dict[str, tuple[str, str, str]] = {
    "preview": ("/api/v1/invoices/batch/preview", "上传批量开票文件：{name}", "batch_preview"),
    "issue": ("/api/v1/invoices/batch", "确认开具“{name}”中的发票", "batch_result"),
    "issue_valid": ("/api/v1/invoices/batch", "只开具“{name}”中正确的发票", "batch_result"),
}


@router.post("/chat/batch")
async def chat_batch(
    request: Request,
    services: ServicesDep,
    username: Caller,
    conversation_id: Annotated[UUID, Form(description="所在会话")],
    mode: Annotated[Mode, Form(description="preview 预览；issue 开具；issue_valid 只开具正确的")],
    file: Annotated[UploadFile, File(description="批量开票模板 .xlsx 或 .csv，不超过10MB")],
) -> Any:
    """在会话中预览或开具批量开票文件；预览和结果都记入会话（刷新后和客服工作台可见）。"""
    if username is None:
        raise Unauthorized("not_logged_in", "请先登录后再批量开票。")
    # Whose conversation is checked before the core acts: nothing is issued for a refusal.
    conversation = await services.chat.conversation_for(str(conversation_id), username)
    path, said, card_type = _MODES[mode]
    name = (file.filename or "未命名文件")[:100]
    # Read no more than a file may hold plus one byte: the core then refuses it as too large.
    content = await file.read(services.max_upload_bytes + 1)
    upload = (name, content, file.content_type or "application/octet-stream")
    data = {"issue_valid": "true"} if mode == "issue_valid" else {}
    call = ("POST", path, {"files": {"file": upload}, "data": data})
    card = {"type": card_type, "filename": name}
    return await core_turn(request, services, conversation, said.format(name=name), call, card)
