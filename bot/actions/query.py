"""Query: one invoice by number, "the last one" or "this one", or a list by buyer and dates."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import invoice_card, invoice_list_card
from actions.drafts import kind_from_words
from actions.invoice_lookup import fetch, newest, number_in_message, search_params
from actions.invoice_refs import refers_to_current, refers_to_latest
from actions.replies import entity_values, latest_text, report_refusal, send_card_with
from actions.slots import CURRENT_INVOICE

STATUS_WORDS = {"voided": r"作废", "red_flushed": r"红冲|冲红|红字", "issued": r"正常|有效"}


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
                return show_one(dispatcher, domain, await fetch(tracker, number))
            return await self._list(dispatcher, tracker, domain)
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
    async def _list(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        params = list_filters(tracker)
        page = await newest(tracker, params)
        items, total = page.get("items") or [], int(page.get("total", 0))
        if not items:
            none = "utter_no_invoice_found" if params else "utter_no_invoice_found_hint"
            dispatcher.utter_message(response=none)
            return []
        if len(items) == 1 or refers_to_latest(latest_text(tracker)):
            return show_one(dispatcher, domain, items[0])
        # The list card's title, beside the field labels of the cards.
        title = "查询结果" if params else "最近开具的发票"
        found = "utter_invoices_found_newest" if total > len(items) else "utter_invoices_found"
        card = invoice_list_card(items, total, title, params)
        send_card_with(dispatcher, domain, found, card, total=total, shown=len(items))
        if not params:
            dispatcher.utter_message(response="utter_search_hint")
        return []


def show_one(
    dispatcher: CollectingDispatcher, domain: DomainDict, invoice: dict[str, Any]
) -> list[EventType]:
    """One invoice's card; it becomes the invoice "这张" refers to."""
    send_card_with(
        dispatcher,
        domain,
        "utter_invoice_shown",
        invoice_card(invoice),
        number=invoice["number"],
        status=invoice.get("status_label", ""),
        total=invoice.get("total_with_tax"),
    )
    return [SlotSet(CURRENT_INVOICE, invoice["number"])]
