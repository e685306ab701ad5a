"""What the void and red-letter forms share: finding the invoice and asking for it."""

from __future__ import annotations

import re
from abc import abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card
from actions.invoice_lookup import fetch, number_in_message, offer_choices, pick
from actions.invoice_refs import find_invoice_number
from actions.replies import send_card
from actions.slots import CURRENT_INVOICE, OFFER

# Intents whose message may name the invoice the form is about.
NAMING_INTENTS = {"void_invoice", "red_invoice", "inform", "query_invoice", "nlu_fallback"}
ASK_NUMBER = "请问是哪张发票？请提供发票号码（数电发票20位），或说“刚开的那张”“最后一张”。"
NUMBER_SHAPES = "数电发票号码为20位数字；纸质发票为10或12位发票代码加8位发票号码。"
# Fewer digits than this are not taken for a mistyped invoice number (e.g. "alert(1)").
MIN_DIGITS_TO_REPORT = 6
# Always a way out of the question, whatever the user typed before.
GIVE_UP = [{"title": "不办了", "payload": "/deny"}]


class InvoiceFormValidation(FormValidationAction):
    """Finds the invoice; subclasses say whether it can be voided or red-lettered."""

    refusal_slot = ""

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        """Nothing more to ask once the invoice is known to be refused."""
        return [] if tracker.get_slot(self.refusal_slot) else domain_slots

    async def extract_invoice_number(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """ "刚开的那张", "这张", or the only invoice of a buyer or a day."""
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
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
        """Show the invoice and what will happen, or why it cannot."""
        # Only what has an invoice number's shape: "alert(1)" gave the NLU an entity "1".
        number = number_in_message(tracker) if value is None else find_invoice_number(str(value))
        if number is None:
            if len(re.sub(r"\D", "", str(value or ""))) >= MIN_DIGITS_TO_REPORT:
                dispatcher.utter_message(text=f"“{value}”不是有效的发票号码。{NUMBER_SHAPES}")
            return {"invoice_number": None}
        try:
            invoice = await fetch(tracker, number)
        except ApiError as error:
            if error.needs_login or error.status >= 500:
                return {"invoice_number": None, self.refusal_slot: error.message}
            dispatcher.utter_message(text=f"没有找到发票“{value}”：{error.message}请核对发票号码。")
            return {"invoice_number": None}
        refusal = self.refusal(invoice)
        if refusal:
            send_card(dispatcher, "找到这张发票：", invoice_card(invoice))
            # Without a number the refusal is only said; with one, a remedy may be offered.
            number = invoice["number"] if self.correctable(invoice) else None
            return {"invoice_number": number, self.refusal_slot: refusal}
        send_card(dispatcher, self.explanation(invoice, tracker), invoice_card(invoice))
        found = {"invoice_number": invoice["number"], CURRENT_INVOICE: invoice["number"]}
        return {**found, OFFER: None} if tracker.get_slot(OFFER) else found

    @abstractmethod
    def refusal(self, invoice: dict[str, Any]) -> str | None:
        """Why this invoice cannot go through the form, or None."""

    def correctable(self, invoice: dict[str, Any]) -> bool:
        """Whether a refused invoice can still be corrected another way."""
        return False

    @abstractmethod
    def explanation(self, invoice: dict[str, Any], tracker: Tracker) -> str:
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
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        if intent not in NAMING_INTENTS:
            # Another request ("帮我开张票给…") names no invoice of this task: no search.
            dispatcher.utter_message(text=ASK_NUMBER, buttons=GIVE_UP)
            return []
        try:
            _, page = await pick(tracker)
        except ApiError as error:
            dispatcher.utter_message(text=error.message)
            return []
        items = (page or {}).get("items") or []
        if len(items) > 1:
            offer_choices(dispatcher, items, int((page or {}).get("total", len(items))))
            return []
        if page is not None and not items:
            dispatcher.utter_message(text="没有找到符合条件的发票。")
        dispatcher.utter_message(text=ASK_NUMBER, buttons=GIVE_UP)
        return []
