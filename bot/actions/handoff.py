"""Handing the conversation to a human: the bot only says so; the app changes the state."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.replies import latest_text
from actions.slots import OFFER, TASK_SLOTS, clear_slots

HANDOFF_TEXT = (
    "好的，正在为您转接人工客服，请稍候。客服接入后会看到我们之前的对话，您不用再重复说明。"
)


class ActionHandoff(Action):
    """Ask the app for a human agent: a custom payload {"handoff": {...}} beside the text."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say a human is coming and mark the reply so the app puts the conversation in waiting."""
        request = {"reason": "user_request", "last_message": latest_text(tracker)[:200]}
        dispatcher.utter_message(json_message={"text": HANDOFF_TEXT, "handoff": request})
        # The agent starts from the conversation, not from a half-filled form.
        return clear_slots(tracker, (*TASK_SLOTS, OFFER))
