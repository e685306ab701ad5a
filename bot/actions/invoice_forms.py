"""What the void and red-letter forms share: finding the invoice and asking for it.

Whether the invoice may be voided or red-lettered is the app's to say (invoicing_core's
ensure_voidable and red-letter rules): the forms find the invoice, show it and say what
the action will do, or stop at once where the invoice the app sent already says no (its
`void` verdict, read by the void form). The app says so again if asked after the yes.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card
from actions.invoice_lookup import fetch, number_in_message, offer_choices, pick
from actions.invoice_refs import find_invoice_number
from actions.replies import (
    latest_intent,
    report_refusal,
    send_card,
    unavailable,
)
from actions.slots import CURRENT_INVOICE, OFFER

# Intents whose message may name the invoice the form is about.
NAMING_INTENTS = {"void_invoice", "red_invoice", "inform", "query_invoice", "nlu_fallback"}
# Fewer digits than this are not taken for a mistyped invoice number (e.g. "alert(1)").
MIN_DIGITS_TO_REPORT = 6


class InvoiceFormValidation(FormValidationAction):
    """Finds the invoice and shows it; subclasses say what their action will do to it."""

    # Set when the form stopped before the yes (no login, no app); the words were said.
    refusal_slot = ""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Nothing more to ask once the form stopped."""
        return [] if tracker.get_slot(self.refusal_slot) else domain_slots

    async def extract_invoice_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "刚开的那张", "这张", or the only invoice of a buyer or a day."""
        intent = latest_intent(tracker)
        asked = tracker.get_slot("requested_slot") in (None, "invoice_number")
        if not asked:
            return {}
        if intent == "affirm" and tracker.get_slot(OFFER) == "red_letter":
            # "好的" to "需要改为开具红字发票吗？": the invoice just refused.
            current = tracker.get_slot(CURRENT_INVOICE)
            return {"invoice_number": current} if current else {}
        if intent not in NAMING_INTENTS:
            return {}
        number = await _number_without_asking(tracker)
        return {"invoice_number": number} if number else {}

    async def validate_invoice_number(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Show the invoice and what will happen; stop the form when the invoice as the app
        sent it is refused (refused_at_once) or the app cannot tell."""
        # Only what has an invoice number's shape: "alert(1)" gave the NLU an entity "1".
        number = number_in_message(tracker) if value is None else find_invoice_number(str(value))
        if number is None:
            if len(re.sub(r"\D", "", str(value or ""))) >= MIN_DIGITS_TO_REPORT:
                dispatcher.utter_message(response="utter_invoice_number_invalid", value=value)
            return {"invoice_number": None}
        try:
            invoice = await fetch(tracker, number)
        except ApiError as error:
            return self._not_found(dispatcher, tracker, value, error)
        found = {"invoice_number": invoice["number"], CURRENT_INVOICE: invoice["number"]}
        stopped = self.refused_at_once(dispatcher, domain, invoice)
        if stopped is not None:
            found = {**found, **stopped}
        else:
            caption = self.explanation(invoice, tracker, domain)
            send_card(dispatcher, caption, invoice_card(invoice))
            found = {**found, **await self.after_shown(dispatcher, tracker, domain, invoice)}
        if tracker.get_slot(OFFER) and OFFER not in found:
            found[OFFER] = None
        return found

    def _not_found(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, value: Any, error: ApiError
    ) -> dict[str, Any]:
        """No such invoice: ask again; no login or no app: say so now and stop the form."""
        if error.needs_login or unavailable(error) or error.status >= 500:
            report_refusal(dispatcher, tracker, error)
            # The action after the form finds the stop and says nothing more.
            return {"invoice_number": None, self.refusal_slot: error.code}
        # The app's own words: "没有找到发票号码为 … 的发票。"
        dispatcher.utter_message(
            response="utter_invoice_not_found", value=value, message=error.message
        )
        return {"invoice_number": None}

    def refused_at_once(
        self, dispatcher: CollectingDispatcher, domain: DomainDict, invoice: dict[str, Any]
    ) -> dict[str, Any] | None:
        """When the invoice as the app sent it says the action is refused: show it, say the
        app's words and return the slots that stop the form (refusal_slot among them);
        None to go on. By default the app is asked only after the yes."""
        return None

    async def after_shown(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        invoice: dict[str, Any],
    ) -> dict[str, Any]:
        """More to say once the invoice is shown, and the slots it sets (refusal_slot to
        stop the form). By default nothing."""
        return {}

    @abstractmethod
    def explanation(self, invoice: dict[str, Any], tracker: Tracker, domain: DomainDict) -> str:
        """What the action will do to this invoice (and what it will not, if asked for)."""


async def _number_without_asking(tracker: Tracker) -> str | None:
    try:
        number, _ = await pick(tracker)
    except ApiError:
        return None
    return number


class ActionAskInvoiceNumber(Action):
    """Asks which invoice; lists the candidates when the user named a buyer or a date."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_invoice_number"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """List several matches as buttons, or ask for the number."""
        if latest_intent(tracker) not in NAMING_INTENTS:
            # Another request ("帮我开张票给…") names no invoice of this task: no search.
            dispatcher.utter_message(response="utter_ask_invoice_number")
            return []
        try:
            _, page = await pick(tracker)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        items = (page or {}).get("items") or []
        if len(items) > 1:
            offer_choices(dispatcher, domain, items, int((page or {}).get("total", len(items))))
            return []
        if page is not None and not items:
            dispatcher.utter_message(response="utter_no_invoice_found")
        dispatcher.utter_message(response="utter_ask_invoice_number")
        return []
