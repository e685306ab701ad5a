"""Slots kept up to date on every user message: who is logged in, and which offer is open."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import ValidationAction
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.replies import latest_intent, metadata
from actions.slots import OFFER

# Answers that can take up an offer ("需要下载PDF吗？" — "好的").
OFFER_ANSWERS = {"affirm", "deny"}


class ValidateSlotMappings(ValidationAction):
    """Runs after every user message (action_validate_slot_mappings)."""

    async def extract_logged_in(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """The app says in each message's metadata whether the conversation has a user."""
        logged_in = metadata(tracker).get("logged_in")
        if not isinstance(logged_in, bool) or tracker.get_slot("logged_in") == logged_in:
            return {}
        return {"logged_in": logged_in}

    async def extract_offer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """An offer lasts one turn: anything but yes or no lets it lapse."""
        intent = latest_intent(tracker)
        if tracker.get_slot(OFFER) is None or intent in OFFER_ANSWERS:
            return {}
        return {OFFER: None}
