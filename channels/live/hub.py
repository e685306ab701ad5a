"""Fan-out of live events (messages, typing, state changes) to the sockets that want them.

In-process by default; with REDIS_URL set, RedisHub carries the same events between
app workers (channels/live/redis_hub.py). Events are JSON objects; a topic names who
listens: one conversation's widget sockets, or every agent console.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Protocol

Event = dict[str, Any]
AGENTS = "agents"
# Every app worker: the knowledge base was published, reload it.
KNOWLEDGE = "knowledge"
# The `type` of the event every subscriber gets when events may have been missed (Redis
# was down): what it shows should be read again from the store.
RESYNC = "resync"
# Events a slow socket has not taken yet; past this the oldest are dropped (the
# client re-reads the store on its next reconnect, so nothing is lost for good).
QUEUE_LIMIT = 1000


def conversation_topic(conversation_id: str) -> str:
    """The topic of one conversation's user sockets."""
    return f"conversation:{conversation_id}"


def notifications_topic(username: str) -> str:
    """The topic of one user's in-app notifications (heard by their widget sockets)."""
    return f"notifications:{username}"


class Subscription(Protocol):
    """Events of the subscribed topics, in the order they were published."""

    def __aiter__(self) -> AsyncIterator[Event]: ...


class Hub(Protocol):
    """Publish an event to a topic; subscribe to topics."""

    async def publish(self, topic: str, event: Event) -> None:
        """Send the event to every current subscriber of the topic (on every worker)."""
        ...

    def subscribe(self, *topics: str) -> Any:
        """An async context manager yielding a Subscription to the topics."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class _Queue:
    def __init__(self) -> None:
        self.events: asyncio.Queue[Event] = asyncio.Queue(QUEUE_LIMIT)

    def put(self, event: Event) -> None:
        if self.events.full():
            self.events.get_nowait()
        self.events.put_nowait(event)

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            yield await self.events.get()


class InProcessHub:
    """Fan-out within one process: enough for a single app worker."""

    def __init__(self) -> None:
        self._subscribers: dict[str, set[_Queue]] = {}

    async def publish(self, topic: str, event: Event) -> None:
        """Queue the event for every subscriber of the topic."""
        for queue in list(self._subscribers.get(topic, ())):
            queue.put(event)

    async def publish_to_all(self, event: Event) -> None:
        """Queue the event once for every subscriber, whatever its topics."""
        for queue in {queue for queues in self._subscribers.values() for queue in queues}:
            queue.put(event)

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[_Queue]:
        """Subscribe for the duration of the `async with` block."""
        queue = _Queue()
        for topic in topics:
            self._subscribers.setdefault(topic, set()).add(queue)
        try:
            yield queue
        finally:
            for topic in topics:
                subscribers = self._subscribers.get(topic, set())
                subscribers.discard(queue)
                if not subscribers:
                    self._subscribers.pop(topic, None)

    async def close(self) -> None:
        """Nothing to release."""
