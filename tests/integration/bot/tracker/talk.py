"""A conversation with the actions, one action at a time, as Rasa would hold it.

`Talk` keeps the slots and events of one conversation: a user turn sets the latest
message (and the slots Rasa's own slot mappings would fill), an action runs on a
rasa_sdk Tracker made from them with a CollectingDispatcher, and its SlotSet events
are applied. What the action said is turned into what the app receives from Rasa's
REST channel: responses named by the action are filled from the domain by Rasa's own
response generator, then sent through Rasa's CollectingOutputChannel.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.interfaces import Action, Tracker
from rasa_sdk.types import DomainDict


@dataclass
class Reply:
    """One message the app receives: its text, buttons and the card it carries, if any."""

    text: str
    buttons: list[dict[str, str]]
    custom: dict[str, Any]

    @property
    def card(self) -> dict[str, Any] | None:
        """The card of a custom message."""
        card = self.custom.get("card")
        return card if isinstance(card, dict) else None


@dataclass
class Talk:
    """The state Rasa keeps for one conversation, as far as the actions read it."""

    sender_id: str
    domain: DomainDict
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)
    latest_message: dict[str, Any] = field(default_factory=dict)
    active_loop: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        defaults = {name: slot.get("initial_value") for name, slot in self.domain["slots"].items()}
        self.slots = {**defaults, "requested_slot": None, **self.slots}

    def user(
        self,
        text: str,
        intent: str,
        entities: dict[str, str] | None = None,
        metadata: dict[str, Any] | None = None,
        **slots: Any,
    ) -> None:
        """The user says `text`, read as `intent` with `entities`; `slots` are what Rasa's
        slot mappings fill from it before any action runs."""
        found = [{"entity": name, "value": value} for name, value in (entities or {}).items()]
        self.latest_message = {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": found,
            "message_id": uuid.uuid4().hex,
            "metadata": metadata or {},
        }
        self.events.append({"event": "user", "text": text, "parse_data": self.latest_message})
        self.set(**slots)

    def set(self, **slots: Any) -> None:
        """Slots set by Rasa (its mappings, or a form's bookkeeping)."""
        for name, value in slots.items():
            self.slots[name] = value
            self.events.append({"event": "slot", "name": name, "value": value})

    def form(self, name: str | None, requested_slot: str | None = None) -> None:
        """The active form and the slot it asks for, as the form action leaves them.

        Rasa records an `active_loop` event when a form starts or ends; a starting form's
        comes before the slots the user's message filled, which Rasa hands to the form's
        validation last, as the slots to validate."""
        if name != self.active_loop.get("name"):
            started = {"event": "active_loop", "name": name}
            if name:
                self.events.insert(self._after_latest_user_message(), started)
            else:
                self.events.append(started)
        self.active_loop = {"name": name} if name else {}
        self.set(requested_slot=requested_slot)

    def _after_latest_user_message(self) -> int:
        users = [i for i, event in enumerate(self.events) if event.get("event") == "user"]
        return users[-1] + 1 if users else len(self.events)

    def tracker(self) -> Tracker:
        """The tracker the action server would build from Rasa's request."""
        return Tracker(
            self.sender_id,
            dict(self.slots),
            self.latest_message,
            list(self.events),
            False,
            None,
            dict(self.active_loop),
            None,
        )

    def act(self, action: Action) -> tuple[list[dict[str, Any]], list[Reply]]:
        """Run `action`, apply the slots it sets; (its events, what the app receives)."""
        return asyncio.run(self._act(action))

    async def _act(self, action: Action) -> tuple[list[dict[str, Any]], list[Reply]]:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, self.tracker(), self.domain)
        for event in events:
            if event.get("event") == "slot":
                self.slots[event["name"]] = event.get("value")
            self.events.append(event)
        return events, await self.delivered(dispatcher.messages)

    async def delivered(self, messages: list[dict[str, Any]]) -> list[Reply]:
        """The action's messages as Rasa's REST channel hands them to the app."""
        channel = CollectingOutputChannel()
        for message in messages:
            await channel.send_response(self.sender_id, self._uttered(dict(message)))
        return [
            Reply(
                str(sent.get("text") or (sent.get("custom") or {}).get("text") or ""),
                list(sent.get("buttons") or []),
                dict(sent.get("custom") or {}),
            )
            for sent in channel.messages
        ]

    def _uttered(self, response: dict[str, Any]) -> dict[str, Any]:
        """What Rasa makes of one message of the action server.

        The steps of rasa.core.actions.action.RemoteAction._utter_responses (importing
        that module loads TensorFlow): a named response is generated from the domain,
        with the slots and the message's values, then the action's buttons and values
        are added.
        """
        name = response.pop("response", None)
        draft: dict[str, Any] = {}
        if name:
            nlg = TemplatedNaturalLanguageGenerator(self.domain["responses"])
            generated = nlg.generate_from_slots(name, dict(self.slots), "rest", **response)
            if generated is None:
                raise AssertionError(f"the domain has no response {name}")
            draft = generated
        buttons = response.pop("buttons", []) or []
        if buttons:
            draft.setdefault("buttons", [])
            draft["buttons"].extend(buttons)
        draft.update({key: value for key, value in response.items() if value})
        return {
            "text": draft.get("text"),
            "buttons": draft.get("buttons"),
            "custom": draft.get("custom"),
            "image": draft.get("image"),
            "attachment": draft.get("attachment"),
        }


def texts(replies: list[Reply]) -> str:
    """Everything said, one message a line."""
    return "\n".join(reply.text for reply in replies)


def cards(replies: list[Reply], kind: str) -> list[dict[str, Any]]:
    """The cards of one type."""
    return [reply.card for reply in replies if reply.card and reply.card.get("type") == kind]


def fields(card: dict[str, Any]) -> dict[str, str]:
    """A card's rows by label."""
    return {row["label"]: row["value"] for row in card["fields"]}


def buttons(replies: list[Reply]) -> dict[str, str]:
    """Every button's payload, by title."""
    return {button["title"]: button["payload"] for reply in replies for button in reply.buttons}


def slot_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The slots an action set, the last value of each."""
    return {event["name"]: event.get("value") for event in events if event.get("event") == "slot"}
