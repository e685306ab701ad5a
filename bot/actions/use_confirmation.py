"""The buyer's use confirmation (用途确认) of a received invoice: 抵扣 or 不抵扣.

"这张票用途确认抵扣", "发票 <number> 不抵扣": the invoice is the number typed, else the
one read or recorded last in the conversation. A confirmation cannot be taken back
(it decides whether a later red-letter invoice needs the buyer's form), so it is asked
first and made only after a yes (the offer use_confirmation), through
POST /use-confirmations {number, code?, use}; the app's refusal is said in its words.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.invoice_lookup import number_in_message
from actions.replies import api_for, latest_text, metadata, report_refusal
from actions.slots import OFFER, USE_CONFIRMATION

USES = ("deduct", "no_deduct")
PAPER_CODE_AND_NUMBER = 18
QUESTIONS = {"deduct": "utter_ask_use_deduct", "no_deduct": "utter_ask_use_no_deduct"}
CONFIRMED = {"deduct": "utter_use_confirmed_deduct", "no_deduct": "utter_use_confirmed_no_deduct"}
_NO_DEDUCT = re.compile(r"不(?:予|用于?|作|做)?抵扣|不抵|不认证")
_DEDUCT = re.compile(r"抵扣|勾选|认证")


def use_in(text: str) -> str | None:
    """ "用途确认抵扣" → deduct, "不抵扣" → no_deduct; None when the text says neither."""
    if _NO_DEDUCT.search(text):
        return "no_deduct"
    return "deduct" if _DEDUCT.search(text) else None


def invoice_meant(tracker: Tracker) -> dict[str, Any] | None:
    """{number, code}: the number typed, else the conversation's latest received invoice."""
    typed = number_in_message(tracker)
    if typed and len(typed) == PAPER_CODE_AND_NUMBER:
        # A paper invoice's 10-digit code and 8-digit number, typed together or apart.
        return {"number": typed[-8:], "code": typed[:-8]}
    if typed:
        return {"number": typed, "code": None}
    latest = metadata(tracker).get("last_received_invoice")
    if isinstance(latest, dict) and latest.get("number"):
        return {"number": str(latest["number"]), "code": latest.get("code") or None}
    return None


class ActionAskUseConfirmation(Action):
    """Which invoice and which use, then the question; nothing is confirmed yet."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_use_confirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Ask for the yes (offer use_confirmation), or for what is missing."""
        invoice, use = invoice_meant(tracker), use_in(latest_text(tracker))
        if invoice is None:
            dispatcher.utter_message(response="utter_use_which_invoice")
            return [SlotSet(OFFER, None)]
        if use is None:
            dispatcher.utter_message(response="utter_use_which_use", number=invoice["number"])
            return [SlotSet(OFFER, None)]
        dispatcher.utter_message(response=QUESTIONS[use], number=invoice["number"])
        return [
            SlotSet(USE_CONFIRMATION, {**invoice, "use": use}),
            SlotSet(OFFER, "use_confirmation"),
        ]


class ActionConfirmUse(Action):
    """After the yes: the app records the use confirmation."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_confirm_use"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /use-confirmations; said done, or the app's refusal."""
        done: list[EventType] = [SlotSet(USE_CONFIRMATION, None), SlotSet(OFFER, None)]
        pending = tracker.get_slot(USE_CONFIRMATION)
        if not isinstance(pending, dict) or pending.get("use") not in USES:
            dispatcher.utter_message(response="utter_anything_else")
            return done
        body = {"number": pending["number"], "use": pending["use"]}
        if pending.get("code"):
            body["code"] = pending["code"]
        try:
            confirmed = await api_for(tracker).post("/use-confirmations", body)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return done
        use = confirmed.get("use") if confirmed.get("use") in USES else pending["use"]
        dispatcher.utter_message(
            response=CONFIRMED[use],
            number=confirmed.get("number") or pending["number"],
        )
        return done
