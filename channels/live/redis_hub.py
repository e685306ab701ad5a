"""Fan-out between app workers through Redis pub/sub (selected by REDIS_URL)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.asyncio.client import PubSub

from channels.live.hub import Event

log = structlog.get_logger(__name__)
SUBSCRIBE_TIMEOUT_SECONDS = 5.0


class RedisSubscription:
    """Events arriving on a Redis pub/sub connection."""

    def __init__(self, pubsub: PubSub, early: list[dict[str, Any]]) -> None:
        self._pubsub = pubsub
        self._early = early

    async def __aiter__(self) -> AsyncIterator[Event]:
        for message in self._early:
            if (event := _event(message)) is not None:
                yield event
        async for message in self._pubsub.listen():
            if (event := _event(message)) is not None:
                yield event


def _event(message: dict[str, Any]) -> Event | None:
    if message.get("type") != "message":
        return None
    try:
        event: Event = json.loads(message["data"])
    except (TypeError, ValueError):
        log.warning("hub_bad_event", channel=message.get("channel"))
        return None
    return event


async def _confirmed(pubsub: PubSub, topics: int) -> list[dict[str, Any]]:
    """Wait until Redis has every subscription, so no event published after it is missed."""
    early: list[dict[str, Any]] = []
    confirmed = 0
    while confirmed < topics:
        message = await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS)
        if message is None:
            raise ConnectionError("redis did not confirm the subscription")
        if message.get("type") == "subscribe":
            confirmed += 1
        else:
            early.append(message)
    return early


class RedisHub:
    """Every worker publishes to Redis; each subscription listens on its own connection."""

    def __init__(self, url: str, prefix: str = "kaipiao:") -> None:
        # Connects lazily, on the first command: nothing opens at construction.
        self._redis = Redis.from_url(url, decode_responses=True)
        self._prefix = prefix

    async def publish(self, topic: str, event: Event) -> None:
        """Publish the event on the topic's Redis channel."""
        await self._redis.publish(self._prefix + topic, json.dumps(event, ensure_ascii=False))

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[RedisSubscription]:
        """Subscribe for the duration of the `async with` block."""
        pubsub = self._redis.pubsub()
        try:
            await pubsub.subscribe(*(self._prefix + topic for topic in topics))
            yield RedisSubscription(pubsub, await _confirmed(pubsub, len(set(topics))))
        finally:
            await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def ping(self) -> bool:
        """Whether Redis answers."""
        return bool(await self._redis.ping())

    async def close(self) -> None:
        """Close the connection pool."""
        await self._redis.aclose()
