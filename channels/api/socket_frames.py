"""Reading and checking the JSON frames clients send over the websockets."""

from __future__ import annotations

import json
import uuid
from typing import Any

from channels.web.errors import ClientError

MAX_FRAME_CHARS = 16_000
MAX_TEXT_CHARS = 2000


class BadFrame(ClientError):
    """A frame a socket cannot act on; answered with an error frame, never a crash."""


def parse(raw: str | None) -> dict[str, Any]:
    """A JSON object with a string "type", or BadFrame."""
    if raw is None:
        raise BadFrame("invalid_frame", "只接受文本格式的 JSON 消息。")
    if len(raw) > MAX_FRAME_CHARS:
        raise BadFrame("frame_too_large", "消息过长，请分段发送。")
    try:
        frame = json.loads(raw)
    except ValueError:
        raise BadFrame("invalid_frame", "消息格式不正确，应为 JSON 对象。") from None
    if not isinstance(frame, dict) or not isinstance(frame.get("type"), str):
        raise BadFrame("invalid_frame", "消息格式不正确，缺少 type 字段。", "type")
    return frame


def text_of(frame: dict[str, Any], field: str = "text", limit: int = MAX_TEXT_CHARS) -> str:
    """A non-empty text of at most `limit` characters."""
    value = frame.get(field)
    if not isinstance(value, str) or not value.strip():
        raise BadFrame("invalid_input", "内容不能为空。", field)
    if len(value) > limit:
        raise BadFrame("invalid_input", f"内容过长，最多 {limit} 个字符。", field)
    return value.strip()


def client_id_of(frame: dict[str, Any]) -> str:
    """The sender's id for the message (made up when the client sent none)."""
    value = frame.get("client_id")
    if value is None:
        return uuid.uuid4().hex
    if not isinstance(value, str) or not 1 <= len(value) <= 64:
        raise BadFrame("invalid_input", "client_id 应为 1–64 个字符的文本。", "client_id")
    return value


def optional_text(frame: dict[str, Any], field: str, limit: int) -> str | None:
    """A text field that may be missing; too long or not text is refused."""
    value = frame.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise BadFrame("invalid_input", f"{field} 应为不超过 {limit} 个字符的文本。", field)
    return value.strip() or None


def error_frame(error: ClientError) -> dict[str, Any]:
    """The error as a frame: {"type": "error", "code", "message", "field"?}."""
    return {"type": "error", **error.body()["error"]}  # type: ignore[dict-item]
