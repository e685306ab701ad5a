"""A request the company's approval rules held back: the app answers 202 with an approval
request instead of the invoice, and the user is told that it waits for approval."""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher

from actions.invoice_lookup import in_china


def held_for_approval(body: Any) -> bool:
    """Whether the app's answer is an approval request (not an invoice or a form)."""
    return isinstance(body, dict) and "levels" in body and "action_label" in body


def say_held(dispatcher: CollectingDispatcher, request: dict[str, Any]) -> None:
    """Why it waits, what happens on approval, and until when."""
    deadline = in_china(request.get("deadline"))
    dispatcher.utter_message(
        response="utter_held_for_approval",
        approval_id=request["id"],
        reasons="；".join(request.get("reasons") or []),
        action=request["action_label"],
        deadline=f"{deadline:%Y-%m-%d %H:%M}" if deadline else str(request.get("deadline")),
    )
