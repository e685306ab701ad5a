"""Names of the slots that belong to each task, so a task can start and end clean."""

from __future__ import annotations

from collections.abc import Iterable

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.interfaces import Tracker

ISSUE_SLOTS = (
    "invoice_kind",
    "buyer_name",
    "buyer_type",
    "tax_id",
    "item",
    "amount",
    "tax_rate",
    "tax_included",
    "remark",
    "tax_id_warning",
    "tax_id_confirmed",
    "issue_confirmed",
)
VOID_SLOTS = ("invoice_number", "void_reason", "void_confirmed", "void_refusal")
RED_SLOTS = ("invoice_number", "red_reason", "red_confirmed", "red_refusal")
TASK_SLOTS = tuple(dict.fromkeys(ISSUE_SLOTS + VOID_SLOTS + RED_SLOTS))
# The invoice the conversation is about ("这张", "刚开的那张") and a pending offer.
CURRENT_INVOICE = "current_invoice"
OFFER = "offer"
# A received invoice's state change waiting for the yes ({id, number, state}).
RECEIPT_CHANGE = "receipt_change"


def clear_slots(tracker: Tracker, names: Iterable[str]) -> list[EventType]:
    """SlotSet(None) for each named slot that holds a value."""
    return [SlotSet(name, None) for name in names if tracker.get_slot(name) is not None]
