"""Batch issuing: explain the tax bureau's template and ask for the file in the widget."""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.cards import upload_card
from actions.replies import WECHAT_CHANNELS, metadata, send_card_with

TEMPLATE_URL = "/api/v1/invoices/batch/template"
UPLOAD_URL = "/api/v1/invoices/batch"


class ActionBatchIssue(Action):
    """The template, the rules, and an upload card for the widget."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_batch_issue"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """WeChat cannot take the file: send the user to the web app there."""
        dispatcher.utter_message(response="utter_batch_explained")
        if metadata(tracker).get("channel") in WECHAT_CHANNELS:
            dispatcher.utter_message(response="utter_batch_not_in_wechat")
            return []
        card = upload_card(UPLOAD_URL, TEMPLATE_URL)
        send_card_with(dispatcher, domain, "utter_batch_upload", card)
        return []
