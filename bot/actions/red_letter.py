"""Red-letter invoices: show the blue invoice, ask why, require a yes, then ask the app.

Whether the invoice may be red-lettered is the app's rule (invoicing_core's red-letter
checks): a refusal comes back from the request with the reason in Chinese, shown as is.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card
from actions.invoice_change import InvoiceChange
from actions.invoice_forms import InvoiceFormValidation
from actions.red_letter_forms import deadline_text
from actions.red_letter_parts import Unclear, part_card, resolve
from actions.red_letter_request import part_of_request
from actions.replies import (
    report_refusal,
    response_text,
    send_card,
    send_card_with,
    slot_before_latest_message,
)
from actions.slots import CURRENT_INVOICE, OFFER, RED_PART, RED_SLOTS

# The four reasons of the red-letter confirmation form, and words that name them.
REASONS = {
    "开票有误": r"^\s*1\s*$|有误|开错|错了|写错|填错|错误|重开",
    "销货退回": r"^\s*2\s*$|退货|退回|退了",
    "服务终止": r"^\s*3\s*$|终止|不做了|取消服务|中止|解约",
    "销售折让": r"^\s*4\s*$|折让|折扣|让利|优惠",
}


def reason_from_words(text: str) -> str | None:
    """ "金额开错了" → 开票有误, "客户退货" → 销货退回; None when no reason fits."""
    for reason, words in REASONS.items():
        if reason in text or re.search(words, text):
            return reason
    return None


def last_void_reason(events: list[dict[str, Any]]) -> str | None:
    """The reason the user gave for the latest void (the form clears it afterwards); None
    when the latest void form asked for none (the invoice was refused when found), so an
    earlier void's reason is never taken for it."""
    for event in reversed(events):
        if event.get("event") == "active_loop" and event.get("name") == "void_invoice_form":
            return None
        named = event.get("event") == "slot" and event.get("name") == "void_reason"
        if named and event.get("value"):
            return str(event["value"])
    return None


class ValidateRedInvoiceForm(InvoiceFormValidation):
    """Validates red_invoice_form."""

    refusal_slot = "red_refusal"

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_red_invoice_form"

    def explanation(self, invoice: dict[str, Any], tracker: Tracker, domain: DomainDict) -> str:
        """What a full red-letter invoice does; for a part, the part is shown next."""
        if part_of_request(tracker.events) is not None:
            return response_text(domain, "utter_invoice_found")
        total = invoice.get("total_with_tax")
        return response_text(domain, "utter_red_letter_explained", total=total)

    async def after_shown(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
        invoice: dict[str, Any],
    ) -> dict[str, Any]:
        """A partial request: the part as the app computes it, and that the buyer confirms;
        the form stops when the part is unclear or the app refuses it."""
        asked = part_of_request(tracker.events)
        if asked is None:
            return {RED_PART: None} if tracker.get_slot(RED_PART) is not None else {}
        try:
            part = await resolve(tracker, invoice, asked)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return {self.refusal_slot: error.code or "red_part_refused"}
        if isinstance(part, Unclear):
            dispatcher.utter_message(response=part.response, **part.values)
            return {self.refusal_slot: "red_part_unclear"}
        caption = response_text(domain, "utter_red_part_explained")
        send_card(dispatcher, caption, part_card(invoice["number"], part))
        return {RED_PART: part.slot()}

    async def extract_red_reason(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The red-letter offer after a refused void taken up (a yes, its button): the user
        said why a moment ago, so the void's reason is taken when it names one of the four."""
        offered = slot_before_latest_message(tracker, OFFER) == "red_letter"
        if not offered or tracker.get_slot("requested_slot") is not None:
            return {}
        reason = reason_from_words(last_void_reason(tracker.events) or "")
        return {"red_reason": reason} if reason else {}

    def validate_red_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of 开票有误, 销货退回, 服务终止, 销售折让."""
        reason = reason_from_words(str(value))
        if reason is None:
            dispatcher.utter_message(response="utter_red_reason_invalid")
        return {"red_reason": reason}


class ActionRedLetter(InvoiceChange):
    """Issue the red-letter invoice after the yes (or enter the form the buyer confirms)."""

    slots = RED_SLOTS
    refusal_slot = "red_refusal"
    reason_slot = "red_reason"
    confirmed_slot = "red_confirmed"
    path_suffix = "/red-letter"
    cancelled = "utter_red_letter_cancelled"

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_red_letter"

    def body(self, tracker: Tracker) -> dict[str, Any]:
        """The reason, and the lines of a part (none: everything left)."""
        part = tracker.get_slot(RED_PART) or {}
        lines = part.get("lines") if isinstance(part, dict) else None
        return {**super().body(tracker), **({"lines": lines} if lines else {})}

    def refused(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, error: ApiError
    ) -> list[EventType]:
        """The app's reason, as it words it."""
        report_refusal(dispatcher, tracker, error)
        return []

    def changed(
        self,
        dispatcher: CollectingDispatcher,
        domain: DomainDict,
        number: str,
        invoice: dict[str, Any],
    ) -> list[EventType]:
        """The red-letter invoice's card, which becomes the invoice in view; or, when the
        buyer must confirm first (202), the confirmation form entered."""
        if "blue_number" in invoice:
            partial = bool(invoice.get("lines"))
            entered = "utter_red_part_form_entered" if partial else "utter_red_letter_form_entered"
            dispatcher.utter_message(
                response=entered,
                number=number,
                form_id=invoice.get("id"),
                deadline=deadline_text(invoice),
            )
            return [SlotSet(CURRENT_INVOICE, number)]
        card = invoice_card(invoice, "红字发票已开具")
        red = invoice["number"]
        send_card_with(dispatcher, domain, "utter_red_letter_issued", card, number=number, red=red)
        return [SlotSet(CURRENT_INVOICE, red)]


class ActionAskRedConfirmed(Action):
    """The yes asked for before red-lettering: in full, or the part shown."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_red_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """utter_ask_red_confirmed; for a part, utter_ask_red_part_confirmed (an amount of
        a line) or utter_ask_red_line_confirmed (what is left of a line)."""
        part = tracker.get_slot(RED_PART)
        if not isinstance(part, dict):
            dispatcher.utter_message(response="utter_ask_red_confirmed")
            return []
        total = part.get("total_with_tax")
        dispatcher.utter_message(
            response="utter_ask_red_part_confirmed" if total else "utter_ask_red_line_confirmed",
            line_no=part.get("line_no"),
            name=part.get("name"),
            total=total,
        )
        return []
