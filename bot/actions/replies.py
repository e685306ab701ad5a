"""How actions talk back: cards with a caption, login prompts and the API's refusals."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.api_client import ApiError, AppApi
from actions.cards import Card

WECHAT_CHANNELS = {"wechat", "wecom"}
LOGIN_IN_WIDGET = (
    "办理开票、查票、作废、红冲等业务需要先登录。请在下方登录您的开票账号后再说一次；"
    "开票政策和操作问题不用登录也可以直接问我。"
)
# The WeChat channel appends how to bind ("绑定 用户名") to replies that ask for it.
BIND_IN_WECHAT = (
    "办理开票、查票、作废、红冲等业务需要先绑定开票账号，绑定后再试；"
    "开票政策和操作问题不用绑定也可以直接问我。"
)


def api_for(tracker: Tracker) -> AppApi:
    """The app's API, acting for this conversation's user."""
    return AppApi(tracker.sender_id)


def metadata(tracker: Tracker) -> dict[str, Any]:
    """What the app sent with the latest message ({"channel", "logged_in"})."""
    found = (tracker.latest_message or {}).get("metadata") or {}
    return found if isinstance(found, dict) else {}


def send_card(dispatcher: CollectingDispatcher, text: str, card: Card, **extra: Any) -> None:
    """One message: a caption every channel can show, and the card for the widget."""
    dispatcher.utter_message(json_message={"text": text, "card": card, **extra})


def ask_to_log_in(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Log in (widget) or bind the account (WeChat, WeCom) before acting on invoices."""
    if metadata(tracker).get("channel") in WECHAT_CHANNELS:
        dispatcher.utter_message(text=BIND_IN_WECHAT)
    else:
        # The widget draws a login form for this card, right in the conversation.
        send_card(dispatcher, LOGIN_IN_WIDGET, {"type": "login", "title": "登录开票账号"})


def report_refusal(dispatcher: CollectingDispatcher, tracker: Tracker, error: ApiError) -> None:
    """Say why the app refused; a missing login becomes the login prompt."""
    if error.needs_login:
        ask_to_log_in(dispatcher, tracker)
    else:
        dispatcher.utter_message(text=error.message)


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
