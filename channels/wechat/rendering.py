"""The bot's replies as WeChat text: buttons become options to type, cards become lines."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from channels.chat.answer_feedback import ANSWER_CARD, PROMPT
from channels.conversations.model import Message

# WeChat takes at most 2048 bytes of text per message; some room is kept.
MAX_BYTES = 2000


def as_text(messages: Sequence[Message]) -> str:
    """All messages of a turn as one text, blank lines between them."""
    return "\n\n".join(part for part in (_one(message) for message in messages) if part)


def chunks(text: str, limit: int = MAX_BYTES) -> list[str]:
    """Split `text` into pieces of at most `limit` UTF-8 bytes, at line ends where possible."""
    pieces: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while _size(line) > limit:
            head = _cut(line, limit)
            pieces, current = _flush(pieces, current), ""
            pieces.append(head)
            line = line[len(head) :]
        if _size(current + line) > limit:
            pieces, current = _flush(pieces, current), ""
        current += line
    return [piece.strip() for piece in _flush(pieces, current) if piece.strip()]


def _one(message: Message) -> str:
    parts = [message.text.strip()] if message.text.strip() else []
    if message.card:
        parts.append(_card(message.card))
    if message.buttons:
        options = " / ".join(button.get("title", "") for button in message.buttons)
        parts.append(f"您可以回复：{options}")
    return "\n".join(parts)


def _card(card: dict[str, Any]) -> str:
    # The widget's card shape: {"type", "title", "fields": [{"label", "value"}], …}.
    if card.get("type") == ANSWER_CARD:
        return PROMPT
    if card.get("type") == "recognition":
        return _recognition(card)
    if card.get("type") == "received_invoice":
        return _received(card)
    lines = [f"【{card['title']}】"] if card.get("title") else []
    for row in card.get("fields") or []:
        if isinstance(row, dict) and str(row.get("value") or "").strip():
            lines.append(f"{row.get('label', '')}：{row['value']}")
    return "\n".join(lines)


def _recognition(card: dict[str, Any]) -> str:
    """What was read from a sent invoice, unconfirmed fields marked, and how to record it."""
    lines = ["【发票识别结果】"]
    if card.get("recorded_before"):
        lines.append(f"⚠ {card['recorded_before']}")
    for field in (card.get("fields") or {}).values():
        if isinstance(field, dict):
            mark = "" if field.get("certain") else "（请核对）"
            shown = field.get("text") or field.get("value")
            lines.append(f"{field.get('label', '')}：{shown}{mark}")
    lines += [f"⚠ {check.get('message', '')}" for check in card.get("checks") or []]
    if not card.get("recorded_before"):
        lines.append("核对无误请回复“录入”记入收票台账；识别有误请重新拍一张清晰的照片发送。")
    return "\n".join(lines)


def _received(card: dict[str, Any]) -> str:
    verification = card.get("verification") or {}
    return "\n".join(
        [
            "【已录入收票台账】",
            f"发票号码：{card.get('number', '')}",
            f"销售方：{(card.get('seller') or {}).get('name') or ''}",
            f"价税合计：{card.get('total_with_tax', '')} 元",
            f"状态：{card.get('state_label', '')}",
            f"核验：{verification.get('message', '')}",
        ]
    )


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    end = len(text)
    while _size(text[:end]) > limit:
        end -= max(1, (_size(text[:end]) - limit) // 3)
    return text[:end]


def _flush(pieces: list[str], current: str) -> list[str]:
    return [*pieces, current] if current else pieces
