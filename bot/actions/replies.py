"""How actions talk back: the domain's responses, cards with a caption, and the API's refusals.

The bot's fixed words live in domain.yml (`responses:`). A plain message is uttered by
name and Rasa fills it in; a card travels in one custom message with its caption, which
Rasa cannot fill around a card, so the action fills the caption from the domain itself.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Tracker
from rasa_sdk.types import DomainDict

from actions.api_client import ApiError, AppApi
from actions.cards import Card

WECHAT_CHANNELS = {"wechat", "wecom"}
# The API's codes for "the app did not answer"; the words for it are the bot's own.
UNAVAILABLE_CODES = {"unavailable", "http_error"}


def api_for(tracker: Tracker) -> AppApi:
    """The app's API, acting for this conversation's user."""
    return AppApi(tracker.sender_id)


def metadata(tracker: Tracker) -> dict[str, Any]:
    """What the app sent with the latest message ({"channel", "logged_in",
    "last_received_invoice"})."""
    found = (tracker.latest_message or {}).get("metadata") or {}
    return found if isinstance(found, dict) else {}


def response_text(domain: DomainDict, name: str, **values: Any) -> str:
    """The text of the domain's response `name`, its {placeholders} filled from `values`.

    For the texts Rasa does not utter itself: card captions and words kept in a slot.
    """
    text = str(domain["responses"][name][0]["text"])
    return text.format_map(values) if values else text


def response_buttons(domain: DomainDict, name: str) -> list[dict[str, str]]:
    """The buttons of the domain's response `name`, for a message composed in an action."""
    buttons = domain["responses"][name][0].get("buttons") or []
    return [{"title": str(b["title"]), "payload": str(b["payload"])} for b in buttons]


def send_card(dispatcher: CollectingDispatcher, text: str, card: Card, **extra: Any) -> None:
    """One message: a caption every channel can show, and the card for the widget."""
    dispatcher.utter_message(json_message={"text": text, "card": card, **extra})


def send_card_with(
    dispatcher: CollectingDispatcher, domain: DomainDict, response: str, card: Card, **values: Any
) -> None:
    """A card captioned by the domain's response `response`, filled from `values`."""
    send_card(dispatcher, response_text(domain, response, **values), card)


def ask_to_log_in(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Log in (widget) or bind the account (WeChat, WeCom) before acting on invoices."""
    if metadata(tracker).get("channel") in WECHAT_CHANNELS:
        # The WeChat channel appends how to bind ("绑定 用户名") to replies that ask for it.
        dispatcher.utter_message(response="utter_bind_account")
    else:
        # The widget draws a login form for this response's card, right in the conversation.
        dispatcher.utter_message(response="utter_log_in")


def report_refusal(dispatcher: CollectingDispatcher, tracker: Tracker, error: ApiError) -> None:
    """Say why the app refused; a missing login becomes the login prompt."""
    if error.needs_login:
        ask_to_log_in(dispatcher, tracker)
    else:
        say_error(dispatcher, error)


def say_error(dispatcher: CollectingDispatcher, error: ApiError) -> None:
    """The API's own message, or the bot's words when the app did not answer."""
    if unavailable(error):
        dispatcher.utter_message(response="utter_app_unavailable")
    else:
        dispatcher.utter_message(text=error.message)


def unavailable(error: ApiError) -> bool:
    """The app did not answer (or answered without an error of its own)."""
    return error.code in UNAVAILABLE_CODES


def entity_values(tracker: Tracker, entity: str) -> list[str]:
    """Values of one entity in the latest message, in order."""
    return [
        str(found["value"])
        for found in (tracker.latest_message or {}).get("entities", [])
        if found.get("entity") == entity and found.get("value") is not None
    ]


def latest_text(tracker: Tracker) -> str:
    """The text of the latest user message."""
    return str((tracker.latest_message or {}).get("text") or "")


def latest_intent(tracker: Tracker) -> str | None:
    """The intent of the latest user message."""
    name = (tracker.latest_message or {}).get("intent", {}).get("name")
    return str(name) if name else None


# Intents that answer or steer rather than ask for something.
_NOT_A_REQUEST = frozenset(
    ("human_handoff", "affirm", "deny", "inform", "greet", "goodbye", "thank", "bot_challenge")
)


def request_intent(tracker: Tracker) -> str | None:
    """The intent of the user's latest request, past yes/no, thanks and asking for a
    person: what a handoff is about."""
    for event in reversed(tracker.events):
        if event.get("event") != "user":
            continue
        name = (event.get("parse_data") or {}).get("intent", {}).get("name")
        if name and name not in _NOT_A_REQUEST:
            return str(name)
    return None


def slot_before_latest_message(tracker: Tracker, slot: str) -> Any:
    """The slot's value before the latest user message (what the user answered to)."""
    events = tracker.events
    last_user = max(
        (index for index, event in enumerate(events) if event.get("event") == "user"),
        default=len(events),
    )
    value = None
    for event in events[:last_user]:
        if event.get("event") == "slot" and event.get("name") == slot:
            value = event.get("value")
    return value
