"""What voiding and red-lettering share after their form: refusal, no, or the change itself."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, invoice_path
from actions.replies import api_for, report_refusal
from actions.slots import clear_slots


class InvoiceChange(Action, ABC):
    """Runs after void_invoice_form or red_invoice_form; the form's slots are cleared."""

    slots: ClassVar[tuple[str, ...]] = ()
    refusal_slot: ClassVar[str] = ""
    reason_slot: ClassVar[str] = ""
    confirmed_slot: ClassVar[str] = ""
    path_suffix: ClassVar[str] = ""
    # The API's code for "not allowed", answered with refused() rather than as an error.
    refusal_code: ClassVar[str] = ""
    cancelled: ClassVar[str] = ""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /invoices/{number}<suffix> {reason} only after an explicit yes."""
        number = tracker.get_slot("invoice_number")
        refusal = tracker.get_slot(self.refusal_slot)
        done = clear_slots(tracker, self.slots)
        if refusal:
            return done + self.refused(dispatcher, number, refusal)
        if not tracker.get_slot(self.confirmed_slot) or not number:
            dispatcher.utter_message(text=self.cancelled)
            return done
        body = {"reason": tracker.get_slot(self.reason_slot)}
        try:
            changed = await api_for(tracker).post(invoice_path(number, self.path_suffix), body)
        except ApiError as error:
            if error.needs_login or not self.refusal_code or error.code != self.refusal_code:
                report_refusal(dispatcher, tracker, error)
                return done
            return done + self.refused(dispatcher, number, error.message)
        return done + self.changed(dispatcher, number, changed)

    @abstractmethod
    def refused(
        self, dispatcher: CollectingDispatcher, number: str | None, reason: str
    ) -> list[EventType]:
        """Say why the invoice cannot be changed."""

    @abstractmethod
    def changed(
        self, dispatcher: CollectingDispatcher, number: str, invoice: dict[str, Any]
    ) -> list[EventType]:
        """Show the result."""
