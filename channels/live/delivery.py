"""Delivery of messages that reach a user outside their own request: agent replies,
handoff notices, answers that came too late for a channel's reply window.

Each channel registers how it delivers; messages are stored before delivery, so a
channel that cannot deliver now (a closed socket) loses nothing: the user sees
them in the history.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

import structlog

from channels.conversations.model import Conversation, Message

Deliver = Callable[[Conversation, Sequence[Message]], Awaitable[None]]
log = structlog.get_logger(__name__)


class Deliveries:
    """The delivery function of each channel, by the channel's name."""

    def __init__(self) -> None:
        self._by_channel: dict[str, Deliver] = {}

    def register(self, channel: str, deliver: Deliver) -> None:
        """Deliver the messages of `channel`'s conversations with `deliver`."""
        self._by_channel[channel] = deliver

    async def deliver(self, conversation: Conversation, messages: Sequence[Message]) -> None:
        """Send stored messages to the conversation's user through its channel."""
        deliver = self._by_channel.get(conversation.channel)
        if deliver is None:
            log.info("no_delivery", channel=conversation.channel, conversation_id=conversation.id)
            return
        await deliver(conversation, messages)
