"""The bot's messages as WeChat text: a knowledge answer keeps its basis and asks for a 1 / 2."""

from __future__ import annotations

from datetime import UTC, datetime

from channels.conversations.model import Message, Role
from channels.wechat.rendering import as_text


def bot_says(text: str, card: dict[str, str] | None = None) -> Message:
    return Message(1, "c", Role.BOT, text, [], card, datetime.now(UTC))


def test_a_knowledge_answer_shows_its_basis_and_how_to_rate_it() -> None:
    card = {"type": "answer", "entry_id": "account.forgot_password", "question": "忘记密码"}
    text = as_text(
        [bot_says("在登录页点击“忘记密码”。\n\n依据：开票系统用户操作指南；更新于2026-12", card)]
    )
    assert text.splitlines()[-2:] == [
        "依据：开票系统用户操作指南；更新于2026-12",
        "回复 1 有用 / 2 没用",
    ]


def test_other_messages_are_not_followed_by_the_rating_prompt() -> None:
    assert "回复 1" not in as_text([bot_says("您好，我是开票助手。")])
