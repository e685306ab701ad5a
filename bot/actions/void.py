"""Voiding: confirm the invoice, explain, ask why, require a yes; offer red-letter when refused."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, invoice_path
from actions.cards import invoice_card
from actions.invoice_forms import InvoiceFormValidation
from actions.replies import api_for, report_refusal, send_card
from actions.slots import CURRENT_INVOICE, OFFER, VOID_SLOTS, clear_slots

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

    def explanation(self, invoice: dict[str, Any]) -> str:
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


class ActionAskVoidConfirmed(Action):
    """The last question before voiding."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_void_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Name the invoice and the reason; voiding cannot be undone."""
        dispatcher.utter_message(
            text=f"确认作废发票{tracker.get_slot('invoice_number')}吗？"
            f"作废原因：{tracker.get_slot('void_reason')}。作废后不能恢复。",
            buttons=[
                {"title": "确认作废", "payload": "/affirm"},
                {"title": "取消", "payload": "/deny"},
            ],
        )
        return []


class ActionVoidInvoice(Action):
    """Void after the yes; explain a refusal and offer the red-letter invoice instead."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_void_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /invoices/{number}/void with the reason."""
        number = tracker.get_slot("invoice_number")
        refusal = tracker.get_slot("void_refusal")
        done = clear_slots(tracker, VOID_SLOTS)
        if refusal:
            return done + refuse(dispatcher, tracker, number, refusal)
        if not tracker.get_slot("void_confirmed") or not number:
            dispatcher.utter_message(text="好的，已取消作废，发票保持原状。")
            return done
        body = {"reason": tracker.get_slot("void_reason")}
        try:
            invoice = await api_for(tracker).post(invoice_path(number, "/void"), body)
        except ApiError as error:
            if error.code == "void_not_allowed":
                return done + refuse(dispatcher, tracker, number, error.message)
            report_refusal(dispatcher, tracker, error)
            return done
        send_card(dispatcher, f"发票{number}已作废。", invoice_card(invoice, "发票已作废"))
        return [*done, SlotSet(CURRENT_INVOICE, number)]


def refuse(
    dispatcher: CollectingDispatcher, tracker: Tracker, number: str | None, reason: str
) -> list[EventType]:
    """Say why, and offer the red-letter invoice when there is an invoice to correct."""
    if not number or "登录" in reason or "绑定" in reason:
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
