"""The bot's replies for DingTalk and Feishu: plain text, or a markdown card when the
turn carries a card (an invoice, a draft, a list, a report).

Text is the WeChat channel's (channels/wechat/rendering.py, `as_text`); a card is a
title and a markdown body that each platform wraps in its own card format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from channels.conversations.model import Message
from channels.wechat.rendering import as_text

# Cards with fields or rows are drawn as cards; others (the answer's rating prompt, a
# recognition) read well as the WeChat text.
TABLE_KEYS = ("number", "issued_at", "buyer", "kind", "status", "total_with_tax")


@dataclass(frozen=True)
class Outgoing:
    """One message to a platform user: text, or a card (title and markdown)."""

    text: str
    title: str = ""
    markdown: str = ""

    @property
    def is_card(self) -> bool:
        """Whether the platform should draw it as a card."""
        return bool(self.markdown)


def outgoing(messages: Sequence[Message], text: str = "") -> Outgoing:
    """The messages as one outgoing message; `text` (else their WeChat text) when none
    of them has a card worth drawing."""
    text = text or as_text(messages)
    cards = [message.card for message in messages if message.card and _drawable(message.card)]
    if not cards:
        return Outgoing(text)
    parts = [_markdown(message) for message in messages]
    title = str(cards[0].get("title") or "开票助手")
    return Outgoing(text, title, "\n\n".join(part for part in parts if part))


def _drawable(card: dict[str, Any]) -> bool:
    return bool(card.get("fields") or card.get("rows"))


def _markdown(message: Message) -> str:
    card = message.card
    if not card or not _drawable(card):
        return as_text([message])
    lines = [message.text.strip()] if message.text.strip() else []
    lines.append(f"**{card.get('title') or ''}**")
    for row in card.get("fields") or []:
        if isinstance(row, dict) and str(row.get("value") or "").strip():
            lines.append(f"- {row.get('label', '')}：{row['value']}")
    for row in card.get("rows") or []:
        if isinstance(row, dict):
            cells = [str(row.get(key) or "") for key in TABLE_KEYS if row.get(key)]
            lines.append(f"- {' ｜ '.join(cells)}")
    if message.buttons:
        options = " / ".join(button.get("title", "") for button in message.buttons)
        lines.append(f"您可以回复：{options}")
    return "\n".join(lines)
