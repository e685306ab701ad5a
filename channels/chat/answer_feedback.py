"""Thumbs up or down on the bot's knowledge answers: the widget's buttons, or 1 / 2 typed.

The bot sends a knowledge answer with a card {"type": "answer", "entry_id",
"question"}; the widget shows 👍/👎 under it and WeChat and WeCom users read
"回复 1 有用 / 2 没用". A rating names the stored message, so the entry and the
question come from what the bot said, not from the client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from channels.conversations.model import Message, Reply, Role

ANSWER_CARD = "answer"
PROMPT = "回复 1 有用 / 2 没用"
TYPED = {"1": True, "2": False}


@dataclass(frozen=True)
class Rating:
    """A user's rating of one knowledge answer."""

    conversation_id: str
    message_id: int
    entry_id: str
    question: str
    helpful: bool
    channel: str
    username: str | None


# Where ratings go (the composition root hands them to the knowledge base); called off the loop.
RatingSink = Callable[[Rating], None]


def rating_of(message: Message, helpful: bool, channel: str, username: str | None) -> Rating | None:
    """The rating of `message`, or None when it is not a knowledge answer of the bot."""
    card = message.card or {}
    if message.role is not Role.BOT or card.get("type") != ANSWER_CARD:
        return None
    return Rating(
        message.conversation_id,
        message.id,
        str(card.get("entry_id") or ""),
        str(card.get("question") or ""),
        helpful,
        channel,
        username,
    )


def thanks(helpful: bool) -> Reply:
    """What the user is told after rating."""
    if helpful:
        return Reply("感谢您的反馈！")
    return Reply(
        "感谢您的反馈，我们会改进这个答案。需要为您转接人工客服吗？",
        buttons=[{"title": "转人工客服", "payload": "/human_handoff"}],
    )
