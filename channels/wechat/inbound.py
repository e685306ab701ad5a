"""What WeChat pushed, as one channel-neutral inbound message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Longer texts are cut: the chat API takes at most 2000 characters too.
MAX_TEXT = 2000


@dataclass(frozen=True)
class Inbound:
    """One message or event from one WeChat user (openid) or WeCom member (UserID)."""

    account: str  # "wechat" or "wecom"
    openid: str
    to_user: str  # our own account id, the sender of the passive reply
    msg_key: str  # MsgId, or sender and time for events (WeChat's own advice)
    kind: str  # text, image, file, event, or another media type
    text: str  # the text, or the menu key of a click
    event: str = ""  # subscribe, unsubscribe, click, …
    summary: str = ""  # what is stored for non-text messages
    agent_id: int = 0  # WeCom's application id
    media_id: str = ""  # a picture's or file's id, to fetch it (media/get)
    file_name: str = ""  # a file message's name


def from_wechatpy(account: str, message: Any) -> Inbound:
    """Turn a message parsed by wechatpy into an Inbound; KeyError when a field is missing."""
    raw: dict[str, Any] = getattr(message, "_data", {}) or {}  # wechatpy keeps the raw dict here
    kind = str(raw.get("MsgType") or message.type).lower()
    openid, to_user = str(raw["FromUserName"]), str(raw["ToUserName"])
    msg_id = str(raw.get("MsgId") or "")
    event = str(raw.get("Event") or "").lower() if kind == "event" else ""
    key = f"id:{msg_id}" if msg_id else f"at:{openid}:{raw.get('CreateTime', '')}:{event}"
    text = str(raw.get("Content") or "")[:MAX_TEXT]
    if event == "click":
        text = str(raw.get("EventKey") or "")[:MAX_TEXT]
    return Inbound(
        account=account,
        openid=openid,
        to_user=to_user,
        msg_key=key,
        kind=kind,
        text=text,
        event=event,
        summary=_summary(kind, event, raw, text),
        agent_id=int(raw.get("AgentID") or 0),
        media_id=str(raw.get("MediaId") or "")[:256],
        file_name=str(raw.get("FileName") or raw.get("Title") or "")[:100],
    )


def _summary(kind: str, event: str, raw: dict[str, Any], text: str) -> str:
    if kind == "text":
        return text
    if kind == "event":
        return f"[事件] {event} {raw.get('EventKey') or ''}".strip()
    if kind == "image":
        return f"[图片] {raw.get('PicUrl') or raw.get('MediaId') or ''}".strip()
    if kind == "file":
        name = raw.get("FileName") or raw.get("Title") or raw.get("MediaId") or ""
        return f"[文件] {name}".strip()
    return f"[{kind}] {raw.get('MediaId') or raw.get('Url') or ''}".strip()
