"""Questions answered from the knowledge base through the app's search API."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.replies import api_for, latest_text, send_card
from actions.slots import OFFER

# Below the app's "answered" confidence, hits above this are worth suggesting.
SUGGESTION_CONFIDENCE = 0.2
MAX_SUGGESTIONS = 3
NO_ANSWER = "这个问题我暂时没有找到可靠的答案。需要为您转接人工客服吗？"


class ActionAnswerQuestion(Action):
    """Answer, suggest close questions ("您是想问……吗？"), or offer a human."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Search the knowledge base with the user's words."""
        question = latest_text(tracker).strip()
        try:
            result = await search(tracker, question)
        except ApiError as error:
            dispatcher.utter_message(text=error.message)
            return []
        hits = result.get("hits") or []
        if result.get("answered") and hits:
            answer(dispatcher, hits[0], question)
            return []
        if result.get("out_of_scope"):
            offer_human(dispatcher, out_of_scope_text(result["out_of_scope"]))
            return [SlotSet(OFFER, "handoff")]
        suggestions = [hit for hit in hits if hit.get("score", 0) >= SUGGESTION_CONFIDENCE]
        if suggestions:
            suggest(dispatcher, suggestions[:MAX_SUGGESTIONS])
            return []
        offer_human(dispatcher)
        return [SlotSet(OFFER, "handoff")]


async def search(tracker: Tracker, question: str) -> dict[str, Any]:
    """GET /knowledge/search for this conversation (the app logs an unanswered question
    with the conversation and its user's company)."""
    params = {"q": question[:500], "k": MAX_SUGGESTIONS}
    found = await api_for(tracker).get("/knowledge/search", params)
    return found if isinstance(found, dict) else {}


def suggest(dispatcher: CollectingDispatcher, hits: list[dict[str, Any]]) -> None:
    """ "您是想问……吗？" with one button per close question; a click asks it."""
    first = hits[0]["question"]
    buttons = [{"title": hit["question"], "payload": hit["question"]} for hit in hits]
    buttons.append({"title": "都不是，转人工", "payload": "/human_handoff"})
    dispatcher.utter_message(text=f"您是想问“{first}”吗？也可以点选下面的问题：", buttons=buttons)


def answer(dispatcher: CollectingDispatcher, hit: dict[str, Any], question: str) -> None:
    """The entry's answer, then the line saying what it rests on ("依据：…；更新于…"); its
    card lets the user rate it (👍/👎 in the widget, 1 / 2 on WeChat)."""
    basis = str(hit.get("basis") or "")
    text = f"{hit['answer']}\n\n{basis}" if basis else str(hit["answer"])
    card = {"type": "answer", "entry_id": hit["id"], "question": question[:500], "basis": basis}
    send_card(dispatcher, text, card)


def out_of_scope_text(subjects: list[str]) -> str:
    """Why a question about another tax is not answered here, and what is offered."""
    return (
        f"您的问题涉及{'、'.join(subjects)}，不属于发票业务，我无法给出可靠的答复。"
        "需要为您转接人工客服吗？也可以拨打 12366 纳税服务热线咨询。"
    )


def offer_human(dispatcher: CollectingDispatcher, text: str = NO_ANSWER) -> None:
    """Nothing this assistant can answer: offer a human agent."""
    buttons = [
        {"title": "转人工客服", "payload": "/human_handoff"},
        {"title": "不用了", "payload": "/deny"},
    ]
    dispatcher.utter_message(text=text, buttons=buttons)
