"""Red-letter confirmation forms (红字确认单) in chat, for both sides.

The buyer sees the forms waiting for them and confirms or denies one; the seller asks
where their forms stand and withdraws one. Every move is asked first and made only after
a yes (the offer red_form_move); what a move may do is the app's to say
(/red-letter-forms: confirm, deny, withdraw), and its refusal is shown in its words.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.cards import Card, field, invoice_card
from actions.invoice_lookup import in_china
from actions.replies import (
    api_for,
    latest_intent,
    latest_text,
    report_refusal,
    send_card_with,
    slot_before_latest_message,
)
from actions.slots import CURRENT_INVOICE, FORM_MOVE, OFFER

FORMS = "/red-letter-forms"
# The form the conversation is about (the one the list said waits for the user).
CURRENT_FORM = "red_form"
# "确认单12", "12号确认单", "第12号": a form's id as users type it (short, unlike invoices).
_FORM_ID = re.compile(r"(?:确认单|单号|编号)\s*(\d{1,9})(?!\d)|(?<!\d)(\d{1,9})\s*号")
MOVES = {
    "confirm_red_letter_form": "confirm",
    "deny_red_letter_form": "deny",
    "withdraw_red_letter_form": "withdraw",
    "affirm": "confirm",
    "deny": "deny",
}
# The question before each move, and what is said once it is made (a confirmation
# says utter_red_form_confirmed with the red-letter invoice instead).
QUESTIONS = {
    "confirm": "utter_ask_red_form_confirm",
    "deny": "utter_ask_red_form_deny",
    "withdraw": "utter_ask_red_form_withdraw",
}
DONE = {
    "confirm": "utter_red_form_confirm_done",
    "deny": "utter_red_form_deny_done",
    "withdraw": "utter_red_form_withdraw_done",
}
# States in which a form waits for an answer (02: the buyer's, 03: the seller's).
OPEN_STATES = {"02", "03"}
LISTED = 10


def form_id_in(text: str) -> int | None:
    """The form id typed in `text` ("确认单12", "12号"), or None."""
    found = _FORM_ID.search(text)
    return int(found.group(1) or found.group(2)) if found else None


def deadline_text(form: dict[str, Any]) -> str:
    """When the form lapses, in China's time to the minute."""
    when = in_china(form.get("deadline"))
    return f"{when:%Y-%m-%d %H:%M}" if when else str(form.get("deadline") or "")


def parts_text(form: dict[str, Any]) -> str:
    """What the form negates, as a card shows it: each line and its tax-exclusive amount
    (the app's figures), or 全额 when it negates everything left."""
    lines = form.get("lines") or []
    if not lines:
        return "全额"
    return "，".join(
        f"第{line.get('line_no')}行"
        + (f"{line['amount']}元（不含税）" if line.get("amount") else "剩余全部")
        for line in lines
    )


def forms_card(forms: list[dict[str, Any]], title: str) -> Card:
    """One row per form: its id and invoice, its state, and until when it waits."""
    fields = [
        field(
            f"确认单{form.get('id')}（发票{form.get('blue_number')}）",
            f"{form.get('state_label')}；{form.get('reason_label')}"
            + f"；{parts_text(form)}"
            + (f"；{deadline_text(form)}前" if form.get("state") in OPEN_STATES else ""),
        )
        for form in forms
    ]
    return {"type": "report", "title": title, "fields": fields, "tables": []}


class ActionRedLetterForms(Action):
    """ "有待确认的红字确认单吗": the forms of the user's company, those waiting for them first."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_red_letter_forms"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """List; when exactly one waits for the user, offer to confirm or deny it."""
        try:
            page = await api_for(tracker).get(FORMS, {"size": LISTED})
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        forms = list(page.get("items") or [])
        if not forms:
            dispatcher.utter_message(response="utter_no_red_letter_forms")
            return [SlotSet(CURRENT_FORM, None)]
        waiting = [form for form in forms if form.get("awaiting_you")]
        ordered = waiting + [form for form in forms if not form.get("awaiting_you")]
        card = forms_card(ordered, "红字确认单")
        send_card_with(
            dispatcher,
            domain,
            "utter_red_letter_forms",
            card,
            count=len(waiting),
            total=page.get("total"),
        )
        if len(waiting) == 1:
            form = waiting[0]
            dispatcher.utter_message(
                response="utter_red_letter_form_awaiting_you",
                form_id=form["id"],
                number=form.get("blue_number"),
                deadline=deadline_text(form),
            )
            return [SlotSet(CURRENT_FORM, form["id"]), SlotSet(OFFER, "red_form")]
        if len(waiting) > 1:
            dispatcher.utter_message(response="utter_red_letter_forms_name_one")
        return [SlotSet(CURRENT_FORM, None)]


class ActionRedLetterFormMove(Action):
    """ "确认" / "拒绝，数量不对" / "撤销确认单12": the form shown, and the question first."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_red_letter_form_move"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Find the form, show it and ask; the move waits for the yes (offer red_form_move)."""
        move = MOVES.get(latest_intent(tracker) or "", "confirm")
        form_id = form_id_in(latest_text(tracker)) or slot_before_latest_message(
            tracker, CURRENT_FORM
        )
        try:
            form = await self._form(tracker, form_id, move)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return [SlotSet(OFFER, None)]
        if form is None:
            dispatcher.utter_message(response="utter_red_letter_forms_name_one")
            return [SlotSet(OFFER, None)]
        if form.get("state") not in OPEN_STATES:
            dispatcher.utter_message(
                response="utter_red_form_not_open",
                form_id=form["id"],
                state=form.get("state_label"),
            )
            return [SlotSet(OFFER, None)]
        dispatcher.utter_message(
            response=QUESTIONS[move],
            form_id=form["id"],
            number=form.get("blue_number"),
            reason=form.get("reason_label"),
            state=form.get("state_label"),
            parts=parts_text(form),
            deadline=deadline_text(form),
        )
        pending = {"id": form["id"], "move": move, "number": form.get("blue_number")}
        return [
            SlotSet(CURRENT_FORM, form["id"]),
            SlotSet(FORM_MOVE, pending),
            SlotSet(OFFER, "red_form_move"),
        ]

    async def _form(self, tracker: Tracker, form_id: Any, move: str) -> dict[str, Any] | None:
        """The form named, else the only one the move can apply to (None: name one)."""
        api = api_for(tracker)
        if form_id:
            form: dict[str, Any] = await api.get(f"{FORMS}/{int(form_id)}")
            return form
        page = await api.get(FORMS, {"size": 100})
        open_forms = [f for f in page.get("items") or [] if f.get("state") in OPEN_STATES]
        mine = [f for f in open_forms if bool(f.get("awaiting_you")) == (move != "withdraw")]
        return mine[0] if len(mine) == 1 else None


class ActionRedLetterFormDone(Action):
    """After the yes: confirm, deny or withdraw the form, and say what came of it."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_red_letter_form_done"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /red-letter-forms/{id}/{move}; a confirmation shows the red-letter invoice."""
        done: list[EventType] = [SlotSet(FORM_MOVE, None), SlotSet(OFFER, None)]
        pending = tracker.get_slot(FORM_MOVE)
        if not isinstance(pending, dict) or pending.get("move") not in MOVES.values():
            dispatcher.utter_message(response="utter_anything_else")
            return done
        form_id, move = int(pending["id"]), str(pending["move"])
        try:
            outcome = await api_for(tracker).post(f"{FORMS}/{form_id}/{move}", {})
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return done
        form, red = outcome.get("form") or {}, outcome.get("red_invoice")
        values: dict[str, Any] = {
            "form_id": form_id,
            "number": form.get("blue_number"),
            "state": form.get("state_label"),
        }
        if isinstance(red, dict):
            card = invoice_card(red, "红字发票已开具")
            send_card_with(
                dispatcher,
                domain,
                "utter_red_form_confirmed",
                card,
                red=red.get("number"),
                **values,
            )
            return [*done, SlotSet(CURRENT_INVOICE, red.get("number"))]
        dispatcher.utter_message(response=DONE[move], **values)
        return done
