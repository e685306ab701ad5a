"""Invoice details given outside any task, and the words for "not understood"."""

from __future__ import annotations

from rasa_sdk.events import EventType, FollowupAction, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.replies import ask_to_log_in

# Entities that describe an invoice to issue; two of them make a request to issue.
ISSUE_DETAILS = {"buyer_name", "tax_id", "item", "amount", "tax_rate", "invoice_kind"}


class ActionRouteDetails(Action):
    """ "武汉光谷科技 技术服务费 10600 6%" without "开票" still means: issue this."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_route_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Start issuing when the message describes an invoice; otherwise ask again."""
        found = {
            entity.get("entity") for entity in (tracker.latest_message or {}).get("entities", [])
        }
        if len(found & ISSUE_DETAILS) < 2 or tracker.active_loop.get("name"):
            dispatcher.utter_message(response="utter_not_understood")
            return []
        if tracker.get_slot("logged_in") is False:
            ask_to_log_in(dispatcher, tracker)
            return []
        return [FollowupAction("issue_invoice_form")]


class ActionNotUnderstood(Action):
    """The dialogue's fallback: say so and forget the message, like action_default_fallback."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_not_understood"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The conversation goes on as if the message had not come."""
        dispatcher.utter_message(response="utter_not_understood")
        return [UserUtteranceReverted()]
