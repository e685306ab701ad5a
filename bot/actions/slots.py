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
RED_SLOTS = ("invoice_number", "red_reason", "red_confirmed", "red_refusal", "red_part")
TASK_SLOTS = tuple(dict.fromkeys(ISSUE_SLOTS + VOID_SLOTS + RED_SLOTS))
# The invoice the conversation is about ("这张", "刚开的那张") and a pending offer.
CURRENT_INVOICE = "current_invoice"
OFFER = "offer"
# A received invoice's state change waiting for the yes ({id, number, state}).
RECEIPT_CHANGE = "receipt_change"
# The approval requests shown last, their ids in order ("第2个"), and a decision on one
# waiting for the yes ({id, action: approve|reject|cancel, reason?}).
APPROVAL_IDS = "approval_ids"
APPROVAL_DECISION = "approval_decision"
# The part of a partial red-letter request, as the app computed it ({lines, line_no, …}).
RED_PART = "red_part"
# A move on a red-letter confirmation form waiting for the yes ({id, move, number}).
FORM_MOVE = "red_form_move"
# A buyer's use confirmation (用途确认) waiting for the yes ({number, code, use}).
USE_CONFIRMATION = "use_confirmation"


def clear_slots(tracker: Tracker, names: Iterable[str]) -> list[EventType]:
    """SlotSet(None) for each named slot that holds a value."""
    return [SlotSet(name, None) for name in names if tracker.get_slot(name) is not None]
