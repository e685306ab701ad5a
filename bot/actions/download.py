"""Download: a link to an invoice's PDF."""

from __future__ import annotations

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, invoice_path
from actions.cards import download_card
from actions.invoice_lookup import fetch, resolve
from actions.replies import WECHAT_CHANNELS, latest_intent, metadata, report_refusal, send_card_with
from actions.slots import CURRENT_INVOICE, OFFER

API_PREFIX = "/api/v1"


class ActionDownloadInvoice(Action):
    """Gives the PDF link of the invoice the user means (or the one just issued)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_download_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Check the invoice exists and is the user's, then link its PDF."""
        try:
            number = await self._number(dispatcher, tracker, domain)
            if not number:
                return []
            invoice = await fetch(tracker, number)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        number = invoice["number"]
        url = API_PREFIX + invoice_path(number, "/pdf")
        if metadata(tracker).get("channel") in WECHAT_CHANNELS:
            # No file download in WeChat: the web app has it (a relative path would not work).
            dispatcher.utter_message(response="utter_pdf_in_wechat", number=number)
        else:
            card = download_card(number, url)
            send_card_with(dispatcher, domain, "utter_pdf_ready", card, number=number)
        return [SlotSet(CURRENT_INVOICE, number), SlotSet(OFFER, None)]

    @staticmethod
    async def _number(
        dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> str | None:
        """An accepted PDF offer means the current invoice; otherwise what the user names."""
        current = tracker.get_slot(CURRENT_INVOICE)
        intent = latest_intent(tracker)
        if intent == "affirm" and current:
            return str(current)
        number = await resolve(tracker, dispatcher, domain)
        if number or dispatcher.messages:
            return number
        if current:
            return str(current)
        dispatcher.utter_message(response="utter_ask_download_number")
        return None
