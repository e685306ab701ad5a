"""GET/POST /channels/wechat and /channels/wecom: URL verification and pushed messages.

Refusals use the contract's error body: 403 for a bad signature, 400 for what is
not WeChat's XML, 413 for an oversized body, 404 while a channel is not configured.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response

from channels.api.dependencies import services_of
from channels.web.errors import ClientError, Forbidden, NotFound, PayloadTooLarge
from channels.wechat.channel import WeChatChannel
from channels.wechat.envelope import BadMessage, BadSignature

router = APIRouter(tags=["wechat"])

# WeChat's messages are a few kilobytes; anything far larger is not from WeChat.
MAX_BODY_BYTES = 64 * 1024


@router.get("/channels/wechat", response_class=PlainTextResponse)
async def verify_wechat(request: Request) -> PlainTextResponse:
    """微信公众号服务器地址校验：签名正确时原样返回 echostr。"""
    return _verify(_channel(request, "wechat"), request)


@router.post("/channels/wechat")
async def receive_wechat(request: Request) -> Response:
    """接收微信公众号推送的消息与事件（明文或安全模式）。"""
    return await _receive(_channel(request, "wechat"), request)


@router.get("/channels/wecom", response_class=PlainTextResponse)
async def verify_wecom(request: Request) -> PlainTextResponse:
    """企业微信回调地址校验：返回解密后的 echostr。"""
    return _verify(_channel(request, "wecom"), request)


@router.post("/channels/wecom")
async def receive_wecom(request: Request) -> Response:
    """接收企业微信应用推送的消息与事件（加密）。"""
    return await _receive(_channel(request, "wecom"), request)


def _channel(request: Request, account: str) -> WeChatChannel:
    channel = services_of(request).wechat_channels.get(account)
    if channel is None:
        name = "微信公众号" if account == "wechat" else "企业微信"
        raise NotFound("channel_disabled", f"{name}渠道未启用。")
    return channel


def _verify(channel: WeChatChannel, request: Request) -> PlainTextResponse:
    try:
        echo = channel.envelope.verify_url(dict(request.query_params))
    except BadSignature as exc:
        raise _forbidden() from exc
    except BadMessage as exc:
        raise ClientError("invalid_echostr", "校验参数格式不正确。") from exc
    return PlainTextResponse(echo)


async def _receive(channel: WeChatChannel, request: Request) -> Response:
    body = await _body(request)
    try:
        opened = channel.envelope.open(dict(request.query_params), body)
    except BadSignature as exc:
        raise _forbidden() from exc
    except BadMessage as exc:
        raise ClientError("invalid_xml", "消息格式不正确，不是有效的微信消息 XML。") from exc
    text = await channel.timer.respond(opened.message)
    if not text:
        return PlainTextResponse("success")
    return Response(channel.envelope.seal(opened, text), media_type="application/xml")


async def _body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise PayloadTooLarge("payload_too_large", "请求内容过大。")
    body = b""
    async for part in request.stream():
        body += part
        if len(body) > MAX_BODY_BYTES:
            raise PayloadTooLarge("payload_too_large", "请求内容过大。")
    return body


def _forbidden() -> Forbidden:
    return Forbidden("invalid_signature", "签名校验失败，请求已拒绝。")
