"""The received-invoice ledger (收票台账) in chat: which invoice the user means, and its state.

"这张发票" is the invoice read or recorded last in the conversation, which the app sends
with every message (metadata `last_received_invoice`: kind, code, number and the ledger
entry's id once recorded); a number the user types comes first. Whether and how the
company recorded it is the app's to say (GET /received-invoices); the bot only words it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.invoice_lookup import in_china, number_in_message
from actions.replies import WECHAT_CHANNELS, api_for, metadata, report_refusal

LEDGER = "/received-invoices"


@dataclass(frozen=True)
class MeantInvoice:
    """A received invoice the user means, by its number (a paper invoice's code and number
    joined); the conversation's own also by its kind, and its entry once recorded."""

    number: str
    kind: str | None = None
    entry_id: int | None = None
    # Read in this conversation (not only typed): it can be recorded if it is not yet.
    recognised: bool = False


def meant_invoice(tracker: Tracker) -> MeantInvoice | None:
    """The number typed in the latest message, else the conversation's latest invoice."""
    typed = number_in_message(tracker)
    latest = latest_received_invoice(tracker)
    if typed and (latest is None or latest.number != typed):
        return MeantInvoice(typed)
    return latest


def latest_received_invoice(tracker: Tracker) -> MeantInvoice | None:
    """The invoice the app says was read or recorded last in the conversation."""
    found = metadata(tracker).get("last_received_invoice")
    if not isinstance(found, dict) or not found.get("number"):
        return None
    entry_id = found.get("received_invoice_id")
    return MeantInvoice(
        f"{found.get('code') or ''}{found['number']}",
        str(found["kind"]) if found.get("kind") else None,
        entry_id if isinstance(entry_id, int) else None,
        recognised=True,
    )


async def ledger_entry(tracker: Tracker, meant: MeantInvoice) -> dict[str, Any] | None:
    """The company's ledger entry of the invoice, or None when it is not recorded."""
    api = api_for(tracker)
    if meant.entry_id is not None:
        entry: dict[str, Any] = await api.get(f"{LEDGER}/{meant.entry_id}")
        return entry
    page = await api.get(LEDGER, {"number": meant.number, "kind": meant.kind, "size": 1})
    items = (page or {}).get("items") or []
    return dict(items[0]) if items else None


async def entry_meant(dispatcher: CollectingDispatcher, tracker: Tracker) -> dict[str, Any] | None:
    """The ledger entry of the invoice the user means; None after saying why there is none
    (no invoice named, not recorded, or the app's refusal)."""
    meant = meant_invoice(tracker)
    if meant is None:
        dispatcher.utter_message(response="utter_which_received_invoice")
        return None
    try:
        entry = await ledger_entry(tracker, meant)
    except ApiError as error:
        report_refusal(dispatcher, tracker, error)
        return None
    if entry is None:
        say_not_recorded(dispatcher, tracker, meant)
    return entry


def say_not_recorded(
    dispatcher: CollectingDispatcher, tracker: Tracker, meant: MeantInvoice
) -> None:
    """Not in the ledger; the invoice read in this conversation can still be recorded."""
    if not meant.recognised:
        response = "utter_received_invoice_not_found"
    elif metadata(tracker).get("channel") in WECHAT_CHANNELS:
        response = "utter_received_invoice_recordable_wechat"
    else:
        response = "utter_received_invoice_recordable"
    dispatcher.utter_message(response=response, number=meant.number)


def entry_number(entry: dict[str, Any]) -> str:
    """The entry's invoice number as users type it (a paper invoice's code first)."""
    return f"{entry.get('code') or ''}{entry.get('number', '')}"


def entry_words(entry: dict[str, Any]) -> dict[str, Any]:
    """The values the responses about an entry are filled with."""
    return {
        "number": entry_number(entry),
        "seller": (entry.get("seller") or {}).get("name") or "",
        "total": entry.get("total_with_tax"),
        "state": entry.get("state_label"),
        "recorded_on": china_day(entry.get("recorded_at")),
        "recorded_by": entry.get("recorded_by_name"),
    }


def say_state(dispatcher: CollectingDispatcher, entry: dict[str, Any]) -> None:
    """The entry's state: recorded when and by whom, and the later move if there was one."""
    history = entry.get("history") or []
    if entry.get("state") == "recorded" or not history:
        dispatcher.utter_message(response="utter_received_invoice_state", **entry_words(entry))
        return
    moved = history[-1]
    dispatcher.utter_message(
        response="utter_received_invoice_moved",
        moved_on=china_day(moved.get("at")),
        moved_by=moved.get("by_name"),
        **entry_words(entry),
    )


def china_day(moment: Any) -> str:
    """The day in China of an API timestamp ("2026-12-07T01:02:03Z" and the like)."""
    when = in_china(moment)
    return when.date().isoformat() if when else str(moment or "")[:10]


class ActionCheckReceivedInvoice(Action):
    """ "这张发票报销过吗": the invoice's state in the ledger, or that it is not there."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_check_received_invoice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """GET the entry and say its state."""
        entry = await entry_meant(dispatcher, tracker)
        if entry is not None:
            say_state(dispatcher, entry)
        return []
