"""Invoice actions asked for in a conversation without a logged-in user."""

from __future__ import annotations

from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict

from actions.replies import ask_to_log_in


class ActionAskLogin(Action):
    """Log in (widget) or bind the account (WeChat, WeCom) first."""

    def name(self) -> str:
        """The action's name in the domain."""
        return "action_ask_login"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """Say where to log in; questions need no login."""
        ask_to_log_in(dispatcher, tracker)
        return []
