"""Cancelling a task mid-form ("算了", "不开了"): forget its answers."""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.slots import OFFER, TASK_SLOTS, clear_slots


class ActionCancelTask(Action):
    """Runs after the form was deactivated; nothing was issued, voided or red-lettered."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_task"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say so and clear every task slot."""
        dispatcher.utter_message(response="utter_task_cancelled")
        return clear_slots(tracker, (*TASK_SLOTS, OFFER))
