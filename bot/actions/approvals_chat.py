"""Remote approval in chat: the approver's waiting requests as numbered cards, "同意第1个"
and "驳回第2个，金额不对" after a yes, the requester's own requests and "撤回审批".

The ids of the requests shown last are kept in order (slot `approval_ids`), so "第2个"
means the second card shown. Nothing is decided without the user's own yes: the decision
waits in the slot `approval_decision` ({id, action: approve|reject|cancel, reason?}) with
the offer `approval_decision`, which lapses unless the next message is a yes or a no. The
app decides (who may approve, whether the request still waits) and its refusals are said
in its own words.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError
from actions.approval_cards import approval_card, numbered_title
from actions.approval_refs import (
    Choice,
    choose,
    ordinal_in,
    reason_in,
    request_id_in,
    request_words,
)
from actions.cards import invoice_card
from actions.replies import api_for, latest_text, report_refusal, send_card_with
from actions.slots import APPROVAL_DECISION, APPROVAL_IDS, OFFER

APPROVALS = "/approvals"
# Cards shown at most in one answer.
SHOWN = 5
CONFIRM_RESPONSES = {
    "approve": "utter_ask_approve_confirmed",
    "reject": "utter_ask_reject_confirmed",
    "cancel": "utter_ask_approval_cancel_confirmed",
}


async def listed(tracker: Tracker, mine: str, state: str | None = None) -> list[dict[str, Any]]:
    """GET /approvals?mine=…: the requests, newest first."""
    page = await api_for(tracker).get(APPROVALS, {"mine": mine, "state": state})
    return list(page.get("items") or [])


def show_cards(
    dispatcher: CollectingDispatcher, domain: DomainDict, requests: list[dict[str, Any]]
) -> list[int]:
    """One numbered card per request; the ids in the order shown."""
    for ordinal, request in enumerate(requests, 1):
        card = approval_card(request, numbered_title(ordinal, request))
        words = request_words(request)
        send_card_with(dispatcher, domain, "utter_approval_item", card, ordinal=ordinal, **words)
    return [int(request["id"]) for request in requests]


def say_no_choice(dispatcher: CollectingDispatcher, choice: Choice) -> None:
    """Why the message names no request: no list shown, which one, or past the list."""
    if choice.problem == "out_of_range":
        dispatcher.utter_message(
            response="utter_approval_ordinal_out_of_range",
            ordinal=choice.ordinal,
            count=choice.count,
        )
    elif choice.problem == "which":
        dispatcher.utter_message(response="utter_which_approval", count=choice.count)
    else:
        dispatcher.utter_message(response="utter_no_approval_list")


async def ask_to_confirm(
    dispatcher: CollectingDispatcher, tracker: Tracker, decision: dict[str, Any]
) -> list[EventType]:
    """Show the request and ask for the yes; the decision waits in its slot."""
    try:
        request = await api_for(tracker).get(f"{APPROVALS}/{int(decision['id'])}")
    except ApiError as error:
        report_refusal(dispatcher, tracker, error)
        return [SlotSet(APPROVAL_DECISION, None), SlotSet(OFFER, None)]
    words = {**request_words(request), "reason": decision.get("reason") or ""}
    dispatcher.utter_message(response=CONFIRM_RESPONSES[decision["action"]], **words)
    return [SlotSet(APPROVAL_DECISION, decision), SlotSet(OFFER, "approval_decision")]


class ActionListApprovals(Action):
    """ "待我审批的有哪些": the requests waiting for the user's decision, as numbered cards."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_list_approvals"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """GET /approvals?mine=approver; none waiting is said, for a non-approver plainly."""
        try:
            waiting = await listed(tracker, "approver")
            me = {} if waiting else await api_for(tracker).get("/auth/me")
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        if not waiting:
            not_approver = me.get("role") != "approver"
            response = "utter_not_an_approver" if not_approver else "utter_no_approvals_waiting"
            dispatcher.utter_message(response=response)
            return [SlotSet(APPROVAL_IDS, None)]
        dispatcher.utter_message(
            response="utter_approvals_waiting", count=len(waiting), shown=min(len(waiting), SHOWN)
        )
        ids = show_cards(dispatcher, domain, waiting[:SHOWN])
        dispatcher.utter_message(response="utter_how_to_decide")
        return [SlotSet(APPROVAL_IDS, ids), SlotSet(OFFER, "approval_list")]


class ActionApprovalProgress(Action):
    """ "我那张票审批到哪了": the user's own requests, newest first, and 撤回 for a waiting one."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_approval_progress"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """GET /approvals?mine=requester."""
        try:
            mine = await listed(tracker, "requester")
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return []
        if not mine:
            dispatcher.utter_message(response="utter_no_own_approvals")
            return [SlotSet(APPROVAL_IDS, None)]
        dispatcher.utter_message(
            response="utter_own_approvals", count=len(mine), shown=min(len(mine), SHOWN)
        )
        ids = show_cards(dispatcher, domain, mine[:SHOWN])
        waiting = [request for request in mine[:SHOWN] if request.get("state") == "pending"]
        if waiting:
            dispatcher.utter_message(
                response="utter_offer_approval_cancel", approval_id=waiting[0]["id"]
            )
        return [SlotSet(APPROVAL_IDS, ids)]


class ActionApproveRequest(Action):
    """ "同意第1个", "把第2个批了", a plain "同意" after one card: ask for the yes."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_approve_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The request meant among those shown, then the confirmation."""
        choice = choose(latest_text(tracker), tracker.get_slot(APPROVAL_IDS))
        if choice.request_id is None:
            say_no_choice(dispatcher, choice)
            return [SlotSet(OFFER, None)]
        return await ask_to_confirm(
            dispatcher, tracker, {"id": choice.request_id, "action": "approve"}
        )


class ActionRejectRequest(Action):
    """ "驳回第2个，金额不对": ask for the yes; without a reason, ask for one first."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_reject_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """The request meant (or the one whose reason was asked for), then the reason."""
        text = latest_text(tracker)
        asked = tracker.get_slot(APPROVAL_DECISION) or {}
        choice = choose(text, tracker.get_slot(APPROVAL_IDS))
        named = request_id_in(text) is not None or ordinal_in(text) is not None
        if asked.get("action") == "reject" and not named:
            choice = Choice(int(asked["id"]))
        if choice.request_id is None:
            say_no_choice(dispatcher, choice)
            return [SlotSet(OFFER, None)]
        reason = reason_in(text)
        if reason is None:
            dispatcher.utter_message(
                response="utter_ask_reject_reason", approval_id=choice.request_id
            )
            decision = {"id": choice.request_id, "action": "reject"}
            return [SlotSet(APPROVAL_DECISION, decision), SlotSet(OFFER, None)]
        decision = {"id": choice.request_id, "action": "reject", "reason": reason}
        return await ask_to_confirm(dispatcher, tracker, decision)


class ActionCancelApproval(Action):
    """ "撤回审批": the user's own waiting request (the only one, or the one named)."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_cancel_approval"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Named by id or position, else the only waiting one; several are listed to pick."""
        text = latest_text(tracker)
        choice = choose(text, tracker.get_slot(APPROVAL_IDS))
        named = request_id_in(text) is not None or ordinal_in(text) is not None
        if choice.problem == "out_of_range":
            say_no_choice(dispatcher, choice)
            return []
        if not named or choice.request_id is None:
            try:
                waiting = await listed(tracker, "requester", "pending")
            except ApiError as error:
                report_refusal(dispatcher, tracker, error)
                return []
            if not waiting:
                dispatcher.utter_message(response="utter_nothing_to_cancel")
                return []
            if len(waiting) > 1:
                dispatcher.utter_message(response="utter_which_to_cancel", count=len(waiting))
                return [SlotSet(APPROVAL_IDS, show_cards(dispatcher, domain, waiting[:SHOWN]))]
            choice = Choice(int(waiting[0]["id"]))
        return await ask_to_confirm(
            dispatcher, tracker, {"id": choice.request_id, "action": "cancel"}
        )


class ActionDecideApproval(Action):
    """After the yes: approve, reject or cancel; the outcome or the app's refusal."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_decide_approval"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """POST /approvals/{id}/approve|reject|cancel."""
        decision = tracker.get_slot(APPROVAL_DECISION)
        done: list[EventType] = [SlotSet(APPROVAL_DECISION, None), SlotSet(OFFER, None)]
        if not isinstance(decision, dict) or decision.get("action") not in CONFIRM_RESPONSES:
            dispatcher.utter_message(response="utter_ok")
            return done
        action = str(decision["action"])
        body = {"reason": decision.get("reason")} if action == "reject" else {}
        path = f"{APPROVALS}/{int(decision['id'])}/{action}"
        try:
            outcome = await api_for(tracker).post(path, body)
        except ApiError as error:
            report_refusal(dispatcher, tracker, error)
            return done
        say_outcome(dispatcher, domain, outcome)
        return done


def say_outcome(dispatcher: CollectingDispatcher, domain: DomainDict, outcome: Any) -> None:
    """What the decision brought: the invoice issued (or voided, red-lettered), the red-letter
    form entered, the next level waiting, the rejection or the withdrawal."""
    request = outcome.get("approval") or {}
    words = request_words(request)
    state = request.get("state")
    if state == "rejected":
        reason = next(
            (d.get("reason") for d in request.get("decisions") or [] if not d.get("approved")),
            "",
        )
        dispatcher.utter_message(response="utter_approval_rejected", reason=reason, **words)
    elif state == "cancelled":
        dispatcher.utter_message(response="utter_approval_withdrawn", **words)
    elif state == "pending":
        level = request.get("level")
        dispatcher.utter_message(response="utter_approved_next_level", level=level, **words)
    elif outcome.get("invoice"):
        invoice = outcome["invoice"]
        send_card_with(
            dispatcher, domain, "utter_approved_done", invoice_card(invoice),
            number=invoice.get("number"), **words,
        )  # fmt: skip
    elif outcome.get("red_letter_form"):
        form = (outcome["red_letter_form"] or {}).get("form") or {}
        dispatcher.utter_message(
            response="utter_approved_form_entered", form_id=form.get("id"), **words
        )
    else:
        dispatcher.utter_message(response="utter_approval_state", **words)
