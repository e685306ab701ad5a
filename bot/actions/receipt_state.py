"""Marking a received invoice reimbursed, deducted or rejected: asked, then done after a yes.

The ledger allows one move, from recorded, and never back, so the bot shows the invoice
and asks first (the offer `receipt_state`, which lapses unless the next message is a yes
or a no); the app decides after the yes and its refusal is said in its own words.
"""

from __future__ import annotations

import re

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.received_invoices import LEDGER, entry_meant, entry_number, entry_words, say_state
from actions.replies import api_for, latest_text, report_refusal
from actions.slots import OFFER, RECEIPT_CHANGE

# The states an invoice may be marked with: the API's name, the words that ask for it and
# its name in the bot's questions. Rejection first: "报销不了，拒收" is a rejection.
TARGET_STATES = (
    ("rejected", r"拒收|拒绝|退回|退票|不收", "已拒收"),
    ("deducted", r"抵扣|认证|勾选", "已抵扣"),
    ("reimbursed", r"报销|报账", "已报销"),
)


def state_named(text: str) -> str | None:
    """The state the user asks for, by the API's name."""
    return next((state for state, words, _ in TARGET_STATES if re.search(words, text)), None)


def state_name(state: str) -> str:
    """ "已报销" for "reimbursed"."""
    return next(name for known, _, name in TARGET_STATES if known == state)


class ActionMarkReceivedInvoice(Action):
    """ "把这张标记为已报销": show the invoice and ask for the yes."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_mark_received_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask which state when none is named; refuse at once an invoice that cannot move."""
        entry = await entry_meant(dispatcher, tracker)
        if entry is None:
            return []
        allowed = [str(state) for state in entry.get("next_states") or []]
        if not allowed:
            say_state(dispatcher, entry)
            dispatcher.utter_message(response="utter_receipt_state_final")
            return []
        state = state_named(latest_text(tracker))
        number = entry_number(entry)
        if state is None:
            buttons = [
                {"title": name, "payload": f"把发票{number}标记为{name}"}
                for known, _, name in TARGET_STATES
                if known in allowed
            ]
            dispatcher.utter_message(
                response="utter_ask_receipt_state", number=number, buttons=buttons
            )
            return []
        words = {**entry_words(entry), "state": state_name(state)}
        dispatcher.utter_message(response="utter_ask_receipt_change_confirmed", **words)
        change = {"id": entry["id"], "number": number, "state": state}
        return [SlotSet(RECEIPT_CHANGE, change), SlotSet(OFFER, "receipt_state")]


class ActionChangeReceiptState(Action):
    """After the yes: POST the state; the app's refusal in its own words."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_change_receipt_state"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /received-invoices/{id}/state {state}."""
        change = tracker.get_slot(RECEIPT_CHANGE)
        done: list[EventType] = [SlotSet(RECEIPT_CHANGE, None), SlotSet(OFFER, None)]
        if not isinstance(change, dict):
            dispatcher.utter_message(response="utter_ok")
            return done
        path = f"{LEDGER}/{int(change['id'])}/state"
        try:
            entry = await api_for(tracker).post(path, {"state": change["state"]})
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return done
        dispatcher.utter_message(
            response="utter_receipt_state_changed",
            number=entry_number(entry),
            state=entry.get("state_label"),
        )
        return done
