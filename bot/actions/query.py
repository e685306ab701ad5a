"""Query: one invoice by number, "the last one" or "this one", or a list by buyer and dates."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card, invoice_list_card
from actions.drafts import kind_from_words
from actions.invoice_lookup import fetch, newest, number_in_message, search_params
from actions.invoice_refs import refers_to_current, refers_to_latest
from actions.replies import entity_values, latest_text, report_refusal, send_card
from actions.slots import CURRENT_INVOICE

STATUS_WORDS = {"voided": r"作废", "red_flushed": r"红冲|冲红|红字", "issued": r"正常|有效"}
HINT = "可以告诉我发票号码、购买方名称或日期范围（如“上个月开给光谷科技的票”）来缩小范围。"


def list_filters(tracker: Tracker) -> dict[str, Any]:
    """Buyer, dates, kind and status named in the latest message."""
    params = search_params(tracker)
    for value in entity_values(tracker, "invoice_kind"):
        kind = kind_from_words(value)
        if kind:
            params["kind"] = kind
    text = latest_text(tracker)
    for status, words in STATUS_WORDS.items():
        if re.search(words, text) and re.search(r"(的|了的)(票|发票)|哪些|列", text):
            params["status"] = status
            break
    return params


class ActionQueryInvoice(Action):
    """Shows invoices as cards."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_query_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """One card for one invoice, a list card for several."""
        try:
            number = self._single(tracker)
            if number:
                return show_one(dispatcher, await fetch(tracker, number))
            return await self._list(dispatcher, tracker)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []

    @staticmethod
    def _single(tracker: Tracker) -> str | None:
        number = number_in_message(tracker)
        current = tracker.get_slot(CURRENT_INVOICE)
        text = latest_text(tracker)
        if not number and current and refers_to_current(text) and not refers_to_latest(text):
            return str(current)
        return number

    @staticmethod
    async def _list(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        params = list_filters(tracker)
        page = await newest(tracker, params)
        items, total = page.get("items") or [], int(page.get("total", 0))
        if not items:
            dispatcher.utter_message(text="没有找到符合条件的发票。" + ("" if params else HINT))
            return []
        if len(items) == 1 or refers_to_latest(latest_text(tracker)):
            return show_one(dispatcher, items[0])
        title = "查询结果" if params else "最近开具的发票"
        caption = f"共找到{total}张发票" + (
            f"，显示最近{len(items)}张。" if total > len(items) else "。"
        )
        send_card(dispatcher, caption, invoice_list_card(items, total, title, params))
        if not params:
            dispatcher.utter_message(text=HINT)
        return []


def show_one(dispatcher: CollectingDispatcher, invoice: dict[str, Any]) -> list[EventType]:
    """One invoice's card; it becomes the invoice "这张" refers to."""
    status, total = invoice.get("status_label", ""), invoice.get("total_with_tax")
    caption = f"发票{invoice['number']}：{status}，价税合计{total}元。"
    send_card(dispatcher, caption, invoice_card(invoice))
    return [SlotSet(CURRENT_INVOICE, invoice["number"])]
