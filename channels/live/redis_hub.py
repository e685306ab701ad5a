"""Fan-out between app workers through Redis pub/sub (selected by REDIS_URL).

Every worker publishes to Redis and listens on one connection, a pattern subscription
to all topics, handing each event to its own subscribers (an in-process hub). A worker
thus receives every worker's events, which costs little at chat rates and keeps one
Redis connection per worker however many sockets it holds.

Redis going away must not take the chat with it (bench.cluster_faults: while it was
down every socket was closed and every new one refused). While Redis does not answer,
a worker's events reach its own subscribers only and the listener keeps reconnecting;
once it is back, every subscriber gets a RESYNC event, since what the other workers
said meanwhile was missed (the sockets send their state again).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

from channels.live.hub import RESYNC, Event, InProcessHub

log = structlog.get_logger(__name__)
SUBSCRIBE_TIMEOUT_SECONDS = 5.0
RECONNECT_SECONDS = 1.0
_DOWN = (RedisError, OSError, TimeoutError)


def _event(message: dict[str, Any] | None) -> Event | None:
    if message is None or message.get("type") != "pmessage":
        return None
    try:
        event: Event = json.loads(message["data"])
    except (TypeError, ValueError):
        log.warning("hub_bad_event", channel=message.get("channel"))
        return None
    return event


class RedisHub:
    """Events published through Redis, heard by one listener per worker."""

    def __init__(self, url: str, prefix: str = "kaipiao:") -> None:
        # Connects lazily, on the first command: nothing opens at construction.
        self._redis = Redis.from_url(url, decode_responses=True)
        self._prefix = prefix
        self._local = InProcessHub()
        self._listening = asyncio.Event()
        self._down = False
        self._closed = False
        self._listener: asyncio.Task[None] | None = None

    async def publish(self, topic: str, event: Event) -> None:
        """Publish the event on the topic's Redis channel; to this worker's subscribers
        alone while Redis does not answer."""
        try:
            await self._redis.publish(self._prefix + topic, json.dumps(event, ensure_ascii=False))
        except _DOWN as error:
            log.warning("hub_event_local_only", topic=topic, error=repr(error))
            await self._local.publish(topic, event)

    @asynccontextmanager
    async def subscribe(self, *topics: str) -> AsyncIterator[Any]:
        """Subscribe for the duration of the `async with` block; once it is entered, every
        event published after (through a listening Redis) reaches it."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen())
        async with self._local.subscribe(*topics) as events:
            if not self._down:
                try:
                    await asyncio.wait_for(self._listening.wait(), SUBSCRIBE_TIMEOUT_SECONDS)
                except TimeoutError:
                    log.warning("hub_not_listening", topics=topics)
            yield events

    async def _listen(self) -> None:
        """Hand every event to this worker's subscribers, reconnecting after an outage."""
        missed = False
        while not self._closed:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.psubscribe(self._prefix + "*")
                if await pubsub.get_message(timeout=SUBSCRIBE_TIMEOUT_SECONDS) is None:
                    raise TimeoutError("redis did not confirm the subscription")
                self._listening.set()
                self._down = False
                if missed:
                    log.warning("hub_redis_back")
                    await self._local.publish_to_all({"type": RESYNC})
                    missed = False
                async for message in pubsub.listen():
                    if (event := _event(message)) is not None:
                        await self._local.publish(message["channel"][len(self._prefix) :], event)
            except _DOWN as error:
                if not missed:
                    log.warning("hub_redis_down", error=repr(error))
                self._listening.clear()
                self._down = missed = True
                await asyncio.sleep(RECONNECT_SECONDS)
            finally:
                await pubsub.aclose()  # type: ignore[no-untyped-call]

    async def ping(self) -> bool:
        """Whether Redis answers."""
        return bool(await self._redis.ping())

    async def close(self) -> None:
        """Stop listening and close the connection pool."""
        self._closed = True
        # A cancel that lands as a timeout expires is taken for one (asyncio.timeout in the
        # client): the listener would go on reconnecting, and the shutdown wait for ever.
        while self._listener is not None and not self._listener.done():
            self._listener.cancel()
            await asyncio.wait({self._listener}, timeout=1)
        await self._redis.aclose()
