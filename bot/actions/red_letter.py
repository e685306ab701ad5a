"""Red-letter invoices: show the blue invoice, ask why, require a yes, then ask the app.

Whether the invoice may be red-lettered is the app's rule (invoicing_core's red-letter
checks): a refusal comes back from the request with the reason in Chinese, shown as is.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card
from actions.invoice_change import InvoiceChange
from actions.invoice_forms import InvoiceFormValidation
from actions.red_letter_request import asks_for_a_part
from actions.replies import (
    report_refusal,
    response_text,
    send_card_with,
    slot_before_latest_message,
)
from actions.slots import CURRENT_INVOICE, OFFER, RED_SLOTS

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
        """What a full red-letter invoice does; that a part cannot be done here, if asked."""
        total = invoice.get("total_with_tax")
        what = response_text(domain, "utter_red_letter_explained", total=total)
        if not asks_for_a_part(tracker.events):
            return what
        return f"{what}\n{response_text(domain, 'utter_red_letter_full_only')}"

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
            dispatcher.utter_message(
                response="utter_red_letter_form_entered",
                number=number,
                form_id=invoice.get("id"),
                deadline=str(invoice.get("deadline", ""))[:10],
            )
            return [SlotSet(CURRENT_INVOICE, number)]
        card = invoice_card(invoice, "红字发票已开具")
        red = invoice["number"]
        send_card_with(dispatcher, domain, "utter_red_letter_issued", card, number=number, red=red)
        return [SlotSet(CURRENT_INVOICE, red)]
