"""What voiding and red-lettering share after their form: a stop, a no, or the request itself."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, invoice_path
from actions.approvals import held_for_approval, say_held
from actions.replies import api_for
from actions.slots import clear_slots


class InvoiceChange(Action, ABC):
    """Runs after void_invoice_form or red_invoice_form; the form's slots are cleared.

    The app decides whether the change is allowed: the request is made after the user's
    explicit yes, and a refusal is the app's to word (refused()).
    """

    slots: ClassVar[tuple[str, ...]] = ()
    # Set by the form when it stopped early (no login, no app) and said so already.
    refusal_slot: ClassVar[str] = ""
    reason_slot: ClassVar[str] = ""
    confirmed_slot: ClassVar[str] = ""
    path_suffix: ClassVar[str] = ""
    # The response that says nothing was changed.
    cancelled: ClassVar[str] = ""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /invoices/{number}<suffix> {reason} only after an explicit yes."""
        number = tracker.get_slot("invoice_number")
        done = clear_slots(tracker, self.slots)
        if tracker.get_slot(self.refusal_slot):
            return done
        if not tracker.get_slot(self.confirmed_slot) or not number:
            dispatcher.utter_message(response=self.cancelled)
            return done
        try:
            changed = await api_for(tracker).post(
                invoice_path(number, self.path_suffix), self.body(tracker)
            )
        except ApiError as error:
            return done + self.refused(dispatcher, tracker, number, error)
        if held_for_approval(changed):
            say_held(dispatcher, changed)
            return done
        return done + self.changed(dispatcher, domain, number, changed)

    def body(self, tracker: Tracker) -> dict[str, Any]:
        """The request's body: the reason the form asked for."""
        return {"reason": tracker.get_slot(self.reason_slot)}

    @abstractmethod
    def refused(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, number: str, error: ApiError
    ) -> list[EventType]:
        """Say why the app did not change the invoice, and what may be done instead."""

    @abstractmethod
    def changed(
        self,
        dispatcher: CollectingDispatcher,
        domain: DomainDict,
        number: str,
        invoice: dict[str, Any],
    ) -> list[EventType]:
        """Show the result."""
