"""Voiding: show the invoice, ask why, require a yes, then ask the app to void it.

Whether an invoice may be voided is the app's rule (invoicing_core's ensure_voidable),
not the bot's. The invoice the app sends carries the rule's verdict (`void`: allowed, or
the code and Chinese message of the refusal voiding would get), so a refused invoice is
answered as soon as it is found, before any reason or yes is asked for. The code says
whether a red-letter invoice is the remedy (`void_not_allowed`: the bot offers it) or not
(`invoice_not_voidable_in_status`: voided, red-flushed, a red-letter invoice). The app
may still refuse after the yes (the invoice may have changed meanwhile): the same words.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card
from actions.invoice_change import InvoiceChange
from actions.invoice_forms import InvoiceFormValidation
from actions.replies import report_refusal, response_text, send_card, send_card_with
from actions.slots import CURRENT_INVOICE, OFFER, VOID_SLOTS

# The API's code for an invoice that cannot be voided and is red-lettered instead (the
# message says why); any other refusal is said as the app words it, with no offer.
VOID_NOT_ALLOWED = "void_not_allowed"
MAX_REASON = 200


class ValidateVoidInvoiceForm(InvoiceFormValidation):
    """Validates void_invoice_form."""

    refusal_slot = "void_refusal"

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_void_invoice_form"

    def refused_at_once(
        self, dispatcher: CollectingDispatcher, domain: DomainDict, invoice: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The app's verdict sent with the invoice: when it may not be voided, its reason
        now, and the red-letter offer when that is the remedy; the form stops."""
        verdict = invoice.get("void")
        if not isinstance(verdict, dict) or verdict.get("allowed", True):
            return None
        code, number = str(verdict.get("code") or ""), invoice["number"]
        send_card(dispatcher, response_text(domain, "utter_invoice_found"), invoice_card(invoice))
        say_refusal(dispatcher, number, code, str(verdict.get("message") or ""))
        # The action after the form finds the stop and says nothing more.
        stopped = {self.refusal_slot: code or "void_refused"}
        return {**stopped, OFFER: "red_letter"} if code == VOID_NOT_ALLOWED else stopped

    def explanation(self, invoice: dict[str, Any], tracker: Tracker, domain: DomainDict) -> str:
        """What voiding does."""
        return response_text(domain, "utter_void_explained")

    def validate_void_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A reason of 1 to 200 characters (what the API takes), kept in the invoice's record."""
        reason = str(value).strip()
        if not 1 <= len(reason) <= MAX_REASON:
            dispatcher.utter_message(response="utter_void_reason_invalid")
            return {"void_reason": None}
        return {"void_reason": reason}


class ActionVoidInvoice(InvoiceChange):
    """Void after the yes; show the app's refusal and offer the red-letter invoice instead."""

    slots = VOID_SLOTS
    refusal_slot = "void_refusal"
    reason_slot = "void_reason"
    confirmed_slot = "void_confirmed"
    path_suffix = "/void"
    cancelled = "utter_void_cancelled"

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_void_invoice"

    def refused(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, error: ApiError
    ) -> list[EventType]:
        """The app's reason; for `void_not_allowed`, the offer of a red-letter invoice."""
        if error.code != VOID_NOT_ALLOWED:
            report_refusal(dispatcher, tracker, error)
            return []
        say_refusal(dispatcher, number, error.code, error.message)
        return [SlotSet(CURRENT_INVOICE, number), SlotSet(OFFER, "red_letter")]

    def changed(
        self,
        dispatcher: CollectingDispatcher,
        domain: DomainDict,
        number: str,
        invoice: dict[str, Any],
    ) -> list[EventType]:
        """The voided invoice's card."""
        card = invoice_card(invoice, "发票已作废")
        send_card_with(dispatcher, domain, "utter_voided", card, number=number)
        return [SlotSet(CURRENT_INVOICE, number)]


def say_refusal(dispatcher: CollectingDispatcher, number: str, code: str, message: str) -> None:
    """The app's reason for not voiding, with the red-letter offer when that is the remedy."""
    if code == VOID_NOT_ALLOWED:
        dispatcher.utter_message(response="utter_void_refused", refusal=message, number=number)
    else:
        dispatcher.utter_message(text=message)
