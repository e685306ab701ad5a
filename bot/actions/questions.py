"""The one form question that needs code: which taxpayer id question to ask.

Every other question is a domain response (utter_ask_<slot>) that Rasa fills from the
slots itself; this one depends on the invoice kind and on the app's reading of the buyer.
"""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.drafts import ENTERPRISE, SPECIAL_KINDS


class ActionAskTaxId(Action):
    """Asks for the buyer's taxpayer id, saying why it is needed."""

    def name(self) -> str:
        """action_ask_<slot>, the name forms look for."""
        return "action_ask_tax_id"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The question for a special invoice, an enterprise, or a buyer who may be neither."""
        dispatcher.utter_message(response=tax_id_question(tracker))
        return []


def tax_id_question(tracker: Tracker) -> str:
    """Why the taxpayer id is asked; leave to go without when the buyer may be no enterprise."""
    if tracker.get_slot("invoice_kind") in SPECIAL_KINDS:
        return "utter_ask_tax_id_special"
    if tracker.get_slot("buyer_type") == ENTERPRISE:
        return "utter_ask_tax_id_enterprise"
    return "utter_ask_tax_id_maybe_enterprise"
