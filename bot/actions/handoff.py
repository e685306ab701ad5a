"""Handing the conversation to a human: the bot only says so; the app changes the state."""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.replies import latest_text, request_intent, response_text
from actions.slots import OFFER, TASK_SLOTS, clear_slots


class ActionHandoff(Action):
    """Ask the app for a human agent: a custom payload {"handoff": {...}} beside the text."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say a human is coming and mark the reply so the app puts the conversation in waiting."""
        request = {
            "reason": "user_request",
            "last_message": latest_text(tracker)[:200],
            # What the user was doing: the app routes the conversation by it.
            "intent": request_intent(tracker),
        }
        text = response_text(domain, "utter_handoff")
        # One custom message: the text and the request the app acts on, together.
        dispatcher.utter_message(json_message={"text": text, "handoff": request})
        # The agent starts from the conversation, not from a half-filled form.
        return clear_slots(tracker, (*TASK_SLOTS, OFFER))
