"""Questions answered from the knowledge base through the app's search API."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.replies import (
    api_for,
    latest_text,
    response_buttons,
    response_text,
    say_error,
    send_card,
)
from actions.slots import OFFER

# Below the app's "answered" confidence, hits above this are worth suggesting.
SUGGESTION_CONFIDENCE = 0.2
MAX_SUGGESTIONS = 3
# An offer of a human as said inside a task (offer_human).
IN_TASK = {
    "utter_no_answer": "utter_no_answer_in_task",
    "utter_out_of_scope_subjects": "utter_out_of_scope_subjects_in_task",
}


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
            say_error(dispatcher, error)
            return []
        hits = result.get("hits") or []
        if result.get("answered") and hits:
            answer(dispatcher, hits[0], question)
            return []
        if result.get("out_of_scope"):
            subjects = "、".join(result["out_of_scope"])
            return offer_human(
                dispatcher, tracker, "utter_out_of_scope_subjects", subjects=subjects
            )
        suggestions = [hit for hit in hits if hit.get("score", 0) >= SUGGESTION_CONFIDENCE]
        if suggestions:
            suggest(dispatcher, domain, suggestions[:MAX_SUGGESTIONS])
            return []
        return offer_human(dispatcher, tracker, "utter_no_answer")


def offer_human(
    dispatcher: CollectingDispatcher, tracker: Tracker, response: str, **values: Any
) -> list[EventType]:
    """Offer a human: a yes/no question, whose no the offer rules take. Inside a task the
    form asks its own question right after, and a no ("不办了") is the form's: there the
    offer is the button alone (IN_TASK), and nothing waits."""
    if tracker.active_loop_name:
        dispatcher.utter_message(response=IN_TASK[response], **values)
        return []
    dispatcher.utter_message(response=response, **values)
    return [SlotSet(OFFER, "handoff")]


async def search(tracker: Tracker, question: str) -> dict[str, Any]:
    """GET /knowledge/search for this conversation (the app logs an unanswered question
    with the conversation and its user's company)."""
    params = {"q": question[:500], "k": MAX_SUGGESTIONS}
    found = await api_for(tracker).get("/knowledge/search", params)
    return found if isinstance(found, dict) else {}


def suggest(
    dispatcher: CollectingDispatcher, domain: DomainDict, hits: list[dict[str, Any]]
) -> None:
    """ "您是想问……吗？" with one button per close question; a click asks it.

    Composed here from the domain's response: Rasa would put the response's own button
    ("都不是，转人工") before the questions, and it belongs after them.
    """
    name = "utter_did_you_mean"
    questions = [{"title": hit["question"], "payload": hit["question"]} for hit in hits]
    text = response_text(domain, name, question=hits[0]["question"])
    dispatcher.utter_message(text=text, buttons=[*questions, *response_buttons(domain, name)])


def answer(dispatcher: CollectingDispatcher, hit: dict[str, Any], question: str) -> None:
    """The entry's answer, then the line saying what it rests on ("依据：…；更新于…"); its
    card lets the user rate it (👍/👎 in the widget, 1 / 2 on WeChat). All of it is the
    knowledge base's words, so it is built here rather than kept as a response."""
    basis = str(hit.get("basis") or "")
    text = f"{hit['answer']}\n\n{basis}" if basis else str(hit["answer"])
    card = {"type": "answer", "entry_id": hit["id"], "question": question[:500], "basis": basis}
    send_card(dispatcher, text, card)
