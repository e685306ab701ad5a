"""POST /channels/dingtalk: the DingTalk robot's message callback.

Refusals use the contract's error body: 403 for a wrong sign or a timestamp more than
an hour off, 400 for what is not DingTalk's JSON, 404 while the channel is off. A
message is stored before the callback is answered ({}); the answer follows through the
sessionWebhook or the robot's send API (channels/im_bots/turns.py).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from channels.api.dependencies import services_of
from channels.im_bots.assembly import DingTalkChannel
from channels.im_bots.dingtalk import valid_webhook
from channels.web.errors import ClientError, Forbidden, NotFound
from channels.wechat.envelope import BadMessage, BadSignature

router = APIRouter(tags=["dingtalk"])


@router.post("/channels/dingtalk")
async def receive_dingtalk(request: Request) -> dict[str, Any]:
    """接收钉钉企业内部应用机器人推送的消息（HTTP 回调模式）。"""
    channel = _channel(request)
    body = await request.body()
    headers = request.headers
    try:
        opened = channel.envelope.open(headers.get("timestamp", ""), headers.get("sign", ""), body)
    except BadSignature as exc:
        raise Forbidden("invalid_signature", "签名校验失败，请求已拒绝。", "sign") from exc
    except BadMessage as exc:
        raise ClientError("invalid_message", "消息格式不正确，不是有效的钉钉机器人消息。") from exc
    await channel.turns.accept(opened.message, valid_webhook(opened))
    return {}


def _channel(request: Request) -> DingTalkChannel:
    channel = services_of(request).im_channels.dingtalk
    if channel is None:
        raise NotFound("channel_disabled", "钉钉渠道未启用。")
    return channel
