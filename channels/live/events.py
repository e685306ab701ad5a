"""Live events of conversations, as frames for the widget's and the console's sockets."""

from __future__ import annotations

from collections.abc import Sequence

import structlog

from channels.conversations.model import Conversation, ConversationState, Message
from channels.live.hub import AGENTS, Event, Hub, conversation_topic

log = structlog.get_logger(__name__)


def message_event(conversation_id: str, message: Message) -> Event:
    """A stored message of a conversation."""
    return {"type": "message", "conversation_id": conversation_id, "message": message.to_frame()}


def state_event(conversation: Conversation) -> Event:
    """Who holds the conversation now."""
    return {
        "type": "state",
        "conversation_id": conversation.id,
        "state": conversation.state.value,
        "agent": conversation.agent_name,
        "agent_username": conversation.agent,
    }


def typing_event(conversation_id: str, role: str, on: bool) -> Event:
    """Someone (user, bot or agent) starts or stops typing."""
    return {"type": "typing", "conversation_id": conversation_id, "role": role, "on": on}


class LiveEvents:
    """Publishes conversation events to the user's sockets and, when agents care, the consoles.

    The store holds every message, so a lost event (Redis down) costs liveness only:
    the clients read the history when they reconnect. A failed publish is logged.
    """

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    async def publish(self, topic: str, event: Event) -> None:
        """Publish one event; a hub that fails is logged, not raised."""
        try:
            await self.hub.publish(topic, event)
        except Exception as exc:
            log.warning("live_event_lost", topic=topic, kind=event.get("type"), error=repr(exc))

    async def messages(
        self, conversation: Conversation, messages: Sequence[Message], to_user: bool = True
    ) -> None:
        """New messages: to the user's sockets, and to the consoles unless the bot holds it."""
        for message in messages:
            event = message_event(conversation.id, message)
            if to_user:
                await self.publish(conversation_topic(conversation.id), event)
            if conversation.state is not ConversationState.BOT:
                await self.publish(AGENTS, event)

    async def state(self, conversation: Conversation) -> None:
        """A state change: to the user's sockets and every console (the queue changed)."""
        event = state_event(conversation)
        await self.publish(conversation_topic(conversation.id), event)
        await self.publish(AGENTS, event)

    async def typing(self, conversation_id: str, role: str, on: bool, to_agents: bool) -> None:
        """Typing shown to the other side: the consoles for the user, the user otherwise."""
        topic = AGENTS if to_agents else conversation_topic(conversation_id)
        await self.publish(topic, typing_event(conversation_id, role, on))
