"""Answers to an offer the bot made ("需要下载PDF吗？", "改为红冲吗？", "转人工吗？",
"确认标记为已报销吗？", "确认同意审批单 7 吗？")."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.slots import APPROVAL_DECISION, OFFER, RECEIPT_CHANGE, clear_slots


class ActionDeclineOffer(Action):
    """A "no" to an offer: nothing happens, and the offer lapses."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_decline_offer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Acknowledge and say what else the assistant can do; a pending change is dropped."""
        dispatcher.utter_message(response="utter_anything_else")
        return [SlotSet(OFFER, None), *clear_slots(tracker, [RECEIPT_CHANGE, APPROVAL_DECISION])]
