"""Questions answered from the knowledge base with their basis, and handing over to a human."""

from __future__ import annotations

from actions.handoff import ActionHandoff
from actions.knowledge import ActionAnswerQuestion
from talk import Talk, cards, slot_events


def test_a_question_is_answered_with_what_the_answer_rests_on(talk: Talk) -> None:
    talk.user("忘记密码怎么办", "ask_question")

    events, replies = talk.act(ActionAnswerQuestion())

    [reply] = replies
    [card] = cards(replies, "answer")
    assert card["entry_id"] and card["question"] == "忘记密码怎么办"
    assert card["basis"].startswith("依据")
    # The answer, then its basis (the sources and the date), in one message.
    assert reply.text.endswith(f"\n\n{card['basis']}")
    assert "密码" in reply.text
    assert events == []


def test_asking_for_a_human_sends_the_handoff_request_and_forgets_the_task(talk: Talk) -> None:
    talk.user("给武汉光谷科技开一张专票", "issue_invoice")
    talk.set(buyer_name="武汉光谷科技有限公司", offer="pdf")
    talk.user("不对", "deny")
    talk.user("转人工", "human_handoff")

    events, replies = talk.act(ActionHandoff())

    [reply] = replies
    assert reply.text.startswith("好的，正在为您转接人工客服，请稍候。")
    # The request names what the user was doing (past the "不对"), for routing.
    assert reply.custom["handoff"] == {
        "reason": "user_request",
        "last_message": "转人工",
        "intent": "issue_invoice",
    }
    assert slot_events(events) == {"buyer_name": None, "offer": None}
