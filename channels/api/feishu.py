"""POST /channels/feishu: Feishu's event subscription (URL check and im.message.receive_v1).

Refusals use the contract's error body: 403 for a wrong verification token or
signature, 400 for a body that is not Feishu's JSON or does not decrypt, 404 while the
channel is off. A message is stored before the callback is answered ({}), well within
Feishu's 3 s; the answer follows through the send API (channels/im_bots/turns.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from channels.api.dependencies import services_of
from channels.im_bots.feishu import Signature
from channels.web.errors import ClientError, Forbidden, NotFound
from channels.wechat.envelope import BadMessage, BadSignature

router = APIRouter(tags=["feishu"])


@router.post("/channels/feishu")
async def receive_feishu(request: Request) -> dict[str, Any]:
    """接收飞书事件订阅推送：请求地址校验（challenge）与接收消息事件。"""
    channel = services_of(request).im_channels.feishu
    if channel is None:
        raise NotFound("channel_disabled", "飞书渠道未启用。")
    headers = request.headers
    signature = Signature(
        headers.get("X-Lark-Request-Timestamp", ""),
        headers.get("X-Lark-Request-Nonce", ""),
        headers.get("X-Lark-Signature", ""),
    )
    try:
        opened = channel.envelope.open(signature, await request.body())
    except BadSignature as exc:
        raise Forbidden("invalid_signature", "签名或校验令牌不正确，请求已拒绝。", "token") from exc
    except BadMessage as exc:
        raise ClientError("invalid_message", "消息格式不正确，不是有效的飞书事件。") from exc
    if opened.challenge is not None:
        return {"challenge": opened.challenge}
    if opened.message is not None:
        await channel.turns.accept(opened.message)
    return {}
