"""Download: a link to an invoice's PDF."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, invoice_path
from actions.cards import download_card
from actions.invoice_lookup import fetch, resolve
from actions.replies import WECHAT_CHANNELS, metadata, report_refusal, send_card
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
            number = await self._number(dispatcher, tracker)
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
            text = f"发票{number}的PDF请在电脑上登录开票系统，在网页版开票助手或发票查询中下载。"
            dispatcher.utter_message(text=text)
        else:
            text = f"发票{number}的PDF已生成，请点击下方“下载 PDF”按钮。"
            send_card(dispatcher, text, download_card(number, url))
        return [SlotSet(CURRENT_INVOICE, number), SlotSet(OFFER, None)]

    @staticmethod
    async def _number(dispatcher: CollectingDispatcher, tracker: Tracker) -> str | None:
        """An accepted PDF offer means the current invoice; otherwise what the user names."""
        current = tracker.get_slot(CURRENT_INVOICE)
        intent = (tracker.latest_message or {}).get("intent", {}).get("name")
        if intent == "affirm" and current:
            return str(current)
        number = await resolve(tracker, dispatcher)
        if number or dispatcher.messages:
            return number
        if current:
            return str(current)
        dispatcher.utter_message(text="请问要下载哪张发票？请提供发票号码，或说“刚开的那张”。")
        return None
