"""How the app reads the bot's replies: handoff requests and unanswered turns."""

from __future__ import annotations

from channels.chat.rasa_client import _reply


def test_a_custom_payload_with_handoff_asks_for_a_human() -> None:
    handoff = {"reason": "user_request", "last_message": "转人工"}
    reply = _reply({"custom": {"text": "正在转接", "handoff": handoff}})
    assert (reply.text, reply.handoff, reply.unanswered) == ("正在转接", handoff, False)


def test_an_offer_of_a_human_marks_the_turn_unanswered() -> None:
    offer = [{"title": "转人工", "payload": "/human_handoff"}]
    reply = _reply({"text": "没有找到", "buttons": offer})
    assert reply.unanswered and reply.handoff is None


def test_an_explicit_unanswered_flag_counts_and_a_plain_answer_does_not() -> None:
    assert _reply({"custom": {"text": "?", "unanswered": True}}).unanswered
    assert not _reply({"text": "数电发票不能作废。"}).unanswered


def test_malformed_payload_parts_are_dropped() -> None:
    reply = _reply({"custom": {"text": "x", "handoff": "yes", "card": ["not", "a", "card"]}})
    assert reply.handoff is None and reply.card is None
