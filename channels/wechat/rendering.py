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
    lines = [f"【{card['title']}】"] if card.get("title") else []
    for row in card.get("fields") or []:
        if isinstance(row, dict) and str(row.get("value") or "").strip():
            lines.append(f"{row.get('label', '')}：{row['value']}")
    return "\n".join(lines)


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def _cut(text: str, limit: int) -> str:
    end = len(text)
    while _size(text[:end]) > limit:
        end -= max(1, (_size(text[:end]) - limit) // 3)
    return text[:end]


def _flush(pieces: list[str], current: str) -> list[str]:
    return [*pieces, current] if current else pieces
