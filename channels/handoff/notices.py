"""What the user is told when a person joins, leaves or cannot come (Simplified Chinese)."""

from __future__ import annotations

from channels.conversations.model import Reply

LEAVE_MESSAGE_CARD = {"type": "leave_message", "title": "留言给人工客服"}
RATING_CARD = {"type": "rating", "title": "请为本次服务评分", "scale": 5}
BACK_TO_BOT_BUTTON = {"title": "继续咨询智能助手", "payload": "/back_to_bot"}


def queued(ahead: int) -> Reply:
    """The conversation waits for an agent."""
    position = f"您前面还有 {ahead} 位用户在等待，" if ahead else ""
    return Reply(f"已为您转接人工客服，{position}请稍候。", [BACK_TO_BOT_BUTTON])


def nobody_online() -> Reply:
    """Within working hours, but no agent has the console open."""
    return Reply(
        "当前没有人工客服在线。您可以继续等待，也可以留言（直接发送“留言 + 您的问题和联系方式”），"
        "客服上线后会尽快联系您。",
        [BACK_TO_BOT_BUTTON],
        LEAVE_MESSAGE_CARD,
    )


def after_hours(hours: str) -> Reply:
    """Outside working hours: no agent comes now."""
    return Reply(
        f"现在是非工作时间，人工客服的工作时间为{hours}。"
        "您可以留言（直接发送“留言 + 您的问题和联系方式”），客服上班后会尽快联系您；"
        "也可以继续向智能助手提问。",
        card=LEAVE_MESSAGE_CARD,
    )


def joined(agent_name: str) -> Reply:
    """An agent took the conversation."""
    return Reply(f"人工客服 {agent_name} 已接入")


def transferred(agent_name: str) -> Reply:
    """Another agent took over."""
    return Reply(f"已为您转接人工客服 {agent_name}")


def back_to_bot() -> Reply:
    """The bot answers again."""
    return Reply("人工客服已结束接待，您现在继续与智能助手对话。")


def closed() -> Reply:
    """An agent ended the conversation: ask for a rating."""
    return Reply("本次人工服务已结束，感谢您的咨询！请为本次服务打分（1–5 分）：", card=RATING_CARD)


def bot_failed() -> Reply:
    """Rasa did not answer: a person takes over."""
    return Reply("智能助手暂时无法响应，您的消息已保存。")


def ticket_opened(ticket_id: int) -> Reply:
    """A left message became a ticket."""
    return Reply(
        f"留言已提交（工单号 {ticket_id}），客服会尽快联系您。您也可以继续向智能助手提问。"
    )


def thanks_for_rating(score: int) -> Reply:
    """The rating was stored."""
    # The card tells the widget the rating is given, so its buttons stay off after a reload.
    return Reply(f"感谢您的评价（{score} 分）！", card={"type": "rated", "score": score})
