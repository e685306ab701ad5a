"""Issuing: the summary before the explicit yes, the POST, and what follows it."""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.approvals import held_for_approval, say_held
from actions.cards import draft_card, invoice_card
from actions.drafts import draft_from_slots, issue_request, slot_for_field
from actions.replies import api_for, ask_to_log_in, say_error, send_card_with, unavailable
from actions.slots import CURRENT_INVOICE, ISSUE_SLOTS, OFFER, clear_slots

FORM = "issue_invoice_form"


def _draft(tracker: Tracker) -> dict[str, Any]:
    return draft_from_slots({name: tracker.get_slot(name) for name in ISSUE_SLOTS})


class ActionAskIssueConfirmed(Action):
    """The summary card and the question that needs an explicit yes."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_issue_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Show what will be issued, with the tax and uppercase total the app computes."""
        draft = _draft(tracker)
        preview = await _preview(dispatcher, tracker, draft)
        summary = "utter_issue_summary" if draft["tax_included"] else "utter_issue_summary_net"
        send_card_with(dispatcher, domain, summary, draft_card(draft, preview))
        dispatcher.utter_message(response="utter_ask_issue_confirmed")
        return []


async def _preview(
    dispatcher: CollectingDispatcher, tracker: Tracker, draft: dict[str, Any]
) -> dict[str, Any] | None:
    """The app's preview of the draft, or None; a refusal is said now, before the yes."""
    # The taxpayer id's check character is settled when issuing (it asks to confirm).
    body = issue_request(draft, confirm_tax_id=True)
    try:
        preview: dict[str, Any] = await api_for(tracker).post("/invoices/preview", body)
    except ApiError as error:
        if not error.needs_login and not unavailable(error) and error.status in (409, 422):
            dispatcher.utter_message(response="utter_preview_refused", message=error.message)
        return None
    return preview


class ActionIssueInvoice(Action):
    """Issue after the explicit yes; show the invoice and offer its PDF."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_issue_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /invoices with an idempotency key of this confirmation turn."""
        if not tracker.get_slot("issue_confirmed"):
            dispatcher.utter_message(response="utter_issue_cancelled")
            return clear_slots(tracker, ISSUE_SLOTS)
        body = issue_request(_draft(tracker), bool(tracker.get_slot("tax_id_confirmed")))
        key = f"{tracker.sender_id}:{(tracker.latest_message or {}).get('message_id', '')}"
        try:
            invoice = await api_for(tracker).post("/invoices", body, key=key)
        except ApiError as error:
            return _refused(dispatcher, tracker, error)
        if held_for_approval(invoice):
            say_held(dispatcher, invoice)
            return clear_slots(tracker, ISSUE_SLOTS)
        send_card_with(dispatcher, domain, "utter_issued", invoice_card(invoice, "发票已开具"))
        number = invoice["number"]
        dispatcher.utter_message(response="utter_offer_pdf", number=number)
        return [
            *clear_slots(tracker, ISSUE_SLOTS),
            SlotSet(CURRENT_INVOICE, number),
            SlotSet(OFFER, "pdf"),
        ]


def _refused(
    dispatcher: CollectingDispatcher, tracker: Tracker, error: ApiError
) -> list[EventType]:
    """Ask again for what the app refused; give up only when asking cannot help."""
    if error.needs_login:
        ask_to_log_in(dispatcher, tracker)
        return clear_slots(tracker, ISSUE_SLOTS)
    if error.code == "tax_id_unconfirmed":
        # The summary was confirmed already: only the taxpayer id is asked about.
        return [SlotSet("tax_id_warning", error.message), FollowupAction(FORM)]
    reopen: list[EventType] = [SlotSet("issue_confirmed", None), FollowupAction(FORM)]
    say_error(dispatcher, error)
    slot = slot_for_field(error.field)
    if error.status == 503 or unavailable(error):
        return reopen
    if slot is None or error.status != 422:
        return clear_slots(tracker, ISSUE_SLOTS)
    return [SlotSet(slot, None), *reopen]
