"""Red-letter invoices: confirm the blue invoice, explain, ask why, require a yes."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards import invoice_card
from actions.invoice_change import InvoiceChange
from actions.invoice_forms import InvoiceFormValidation
from actions.red_letter_request import FULL_ONLY, asks_for_a_part
from actions.replies import send_card
from actions.slots import CURRENT_INVOICE, RED_SLOTS

# The four reasons of the red-letter confirmation form, and words that name them.
REASONS = {
    "开票有误": r"^\s*1\s*$|有误|开错|错了|写错|填错|错误|重开",
    "销货退回": r"^\s*2\s*$|退货|退回|退了",
    "服务终止": r"^\s*3\s*$|终止|不做了|取消服务|中止|解约",
    "销售折让": r"^\s*4\s*$|折让|折扣|让利|优惠",
}
REASON_BUTTONS = [{"title": reason, "payload": reason} for reason in REASONS]
RED_LETTER_STATUSES = {"issued", "partly_red_flushed"}


def reason_from_words(text: str) -> str | None:
    """ "金额开错了" → 开票有误, "客户退货" → 销货退回; None when no reason fits."""
    for reason, words in REASONS.items():
        if reason in text or re.search(words, text):
            return reason
    return None


class ValidateRedInvoiceForm(InvoiceFormValidation):
    """Validates red_invoice_form."""

    refusal_slot = "red_refusal"

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_red_invoice_form"

    def refusal(self, invoice: dict[str, Any]) -> str | None:
        """Only a blue invoice with something left to negate can be red-lettered."""
        if invoice.get("red_of"):
            return "这张本身就是红字发票，不能再开红字发票冲销。"
        if invoice.get("status") not in RED_LETTER_STATUSES:
            label = invoice.get("status_label") or invoice.get("status")
            return f"这张发票的状态是“{label}”，不能开具红字发票。"
        return None

    def explanation(self, invoice: dict[str, Any], tracker: Tracker) -> str:
        """What a full red-letter invoice does; that a part cannot be done here, if asked."""
        what = (
            f"找到这张发票。开具红字发票会生成一张价税合计为 -{invoice.get('total_with_tax')} 的"
            "负数发票，全额冲销原发票。购买方尚未确认用途时可直接开具；已确认用途的，"
            "需购买方在72小时内确认红字确认单后才开具。"
        )
        return f"{what}\n{FULL_ONLY}" if asks_for_a_part(tracker.events) else what

    def validate_red_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """One of 开票有误, 销货退回, 服务终止, 销售折让."""
        reason = reason_from_words(str(value))
        if reason is None:
            dispatcher.utter_message(
                text="红冲原因只能是以下四种之一，请选择：", buttons=REASON_BUTTONS
            )
        return {"red_reason": reason}


class ActionRedLetter(InvoiceChange):
    """Issue the red-letter invoice after the yes."""

    slots = RED_SLOTS
    refusal_slot = "red_refusal"
    reason_slot = "red_reason"
    confirmed_slot = "red_confirmed"
    path_suffix = "/red-letter"
    cancelled = "好的，已取消红冲，发票保持原状。"

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_red_letter"

    def refused(
        self, dispatcher: CollectingDispatcher, number: str | None, reason: str
    ) -> list[EventType]:
        """Say why."""
        dispatcher.utter_message(text=reason)
        return []

    def changed(
        self, dispatcher: CollectingDispatcher, number: str, invoice: dict[str, Any]
    ) -> list[EventType]:
        """The red-letter invoice's card; it becomes the invoice in view."""
        caption = f"已为发票{number}开具红字发票{invoice['number']}。"
        send_card(dispatcher, caption, invoice_card(invoice, "红字发票已开具"))
        return [SlotSet(CURRENT_INVOICE, invoice["number"])]
