"""Voiding: confirm the invoice, explain, ask why, require a yes; offer red-letter when refused."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.cards import invoice_card
from actions.invoice_change import InvoiceChange
from actions.invoice_forms import InvoiceFormValidation
from actions.replies import send_card
from actions.slots import CURRENT_INVOICE, OFFER, VOID_SLOTS

DIGITAL_REFUSAL = (
    "这是数电发票。数电发票开具后即交付购买方并同步至税务系统，不能作废；"
    "如需更正，请开具红字发票冲销（购买方尚未确认用途时，销售方可直接全额红冲）。"
)
WHAT_VOIDING_DOES = (
    "作废后这张发票将标记为“已作废”，不能恢复，也不能再用于抵扣；纸质发票需收回全部联次。"
    "纸质发票只能在开具当月、未抄税且购买方未认证时作废。"
)


class ValidateVoidInvoiceForm(InvoiceFormValidation):
    """Validates void_invoice_form."""

    refusal_slot = "void_refusal"

    def name(self) -> str:
        """The action's name in the domain."""
        return "validate_void_invoice_form"

    def refusal(self, invoice: dict[str, Any]) -> str | None:
        """Digital invoices and invoices no longer issued are never voided."""
        if invoice.get("status") != "issued" or invoice.get("red_of"):
            label = invoice.get("status_label") or invoice.get("status")
            return f"这张发票的状态是“{label}”，不能作废。"
        if str(invoice.get("kind", "")).startswith("digital"):
            return DIGITAL_REFUSAL
        return None

    def correctable(self, invoice: dict[str, Any]) -> bool:
        """An issued blue invoice that cannot be voided can be red-lettered."""
        return invoice.get("status") == "issued" and not invoice.get("red_of")

    def explanation(self, invoice: dict[str, Any], tracker: Tracker) -> str:
        """What voiding does."""
        return f"找到这张发票。{WHAT_VOIDING_DOES}"

    def validate_void_reason(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A reason of 1 to 200 characters, kept in the invoice's record."""
        reason = str(value).strip()
        if not 1 <= len(reason) <= 200:
            dispatcher.utter_message(text="请用一句话说明作废原因，例如“金额开错了”。")
            return {"void_reason": None}
        return {"void_reason": reason}


class ActionVoidInvoice(InvoiceChange):
    """Void after the yes; explain a refusal and offer the red-letter invoice instead."""

    slots = VOID_SLOTS
    refusal_slot = "void_refusal"
    reason_slot = "void_reason"
    confirmed_slot = "void_confirmed"
    path_suffix = "/void"
    refusal_code = "void_not_allowed"
    cancelled = "好的，已取消作废，发票保持原状。"

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_void_invoice"

    def refused(
        self, dispatcher: CollectingDispatcher, number: str | None, reason: str
    ) -> list[EventType]:
        """Say why, and offer the red-letter invoice when there is an invoice to correct."""
        if not number:
            dispatcher.utter_message(text=reason)
            return []
        dispatcher.utter_message(
            text=f"{reason}\n需要改为开具红字发票冲销这张发票吗？",
            buttons=[
                {"title": "开红字发票", "payload": f'/red_invoice{{"invoice_number":"{number}"}}'},
                {"title": "不用了", "payload": "/deny"},
            ],
        )
        return [SlotSet(CURRENT_INVOICE, number), SlotSet(OFFER, "red_letter")]

    def changed(
        self, dispatcher: CollectingDispatcher, number: str, invoice: dict[str, Any]
    ) -> list[EventType]:
        """The voided invoice's card."""
        send_card(dispatcher, f"发票{number}已作废。", invoice_card(invoice, "发票已作废"))
        return [SlotSet(CURRENT_INVOICE, number)]
