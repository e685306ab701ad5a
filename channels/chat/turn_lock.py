"""One turn at a time in a conversation, across app workers.

Two messages of one conversation arriving together (two tabs, a resend, each on its own
worker behind the balancer) were stored, sent to Rasa and answered interleaved: the
user's two messages, then both answers. A turn now holds its conversation's lock from
storing the user's message to storing the replies. In one process an asyncio lock does;
with REDIS_URL, a Redis lock that every worker shares. The Redis lock expires after its
timeout, so a worker that dies holding it delays the conversation and never blocks it;
when Redis does not answer, the turn goes on unlocked (logged): an answer matters more
than the order of two answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

log = structlog.get_logger(__name__)


class TurnLocks(Protocol):
    """Held by a turn of a conversation while it runs."""

    def hold(self, conversation_id: str) -> AbstractAsyncContextManager[None]:
        """The conversation's lock, held inside the `async with`."""
        ...

    async def close(self) -> None:
        """Let go of any connection."""
        ...


class LocalTurnLocks:
    """The turns of one process, an asyncio lock per conversation while any turn wants it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Wait for the conversation's earlier turns, then run this one."""
        lock, users = self._locks.get(conversation_id, (asyncio.Lock(), 0))
        self._locks[conversation_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[conversation_id]
            if users == 1:
                del self._locks[conversation_id]
            else:
                self._locks[conversation_id] = (lock, users - 1)

    async def close(self) -> None:
        """Nothing to let go of."""


class RedisTurnLocks:
    """The turns of every worker sharing a Redis server."""

    def __init__(self, url: str, seconds: float) -> None:
        self._redis = Redis.from_url(url)
        self._seconds = seconds

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Wait (at most the lock's timeout) for the conversation's earlier turns."""
        lock = self._redis.lock(
            f"kaipiao:turn:{conversation_id}",
            timeout=self._seconds,
            blocking_timeout=self._seconds,
        )
        try:
            held = await lock.acquire()
        except RedisError as error:
            log.warning("turn_lock_unavailable", conversation_id=conversation_id, error=str(error))
            held = False
        else:
            if not held:
                log.warning("turn_lock_timeout", conversation_id=conversation_id)
        try:
            yield
        finally:
            if held:
                try:
                    await lock.release()
                except (LockError, RedisError) as error:  # expired, or Redis went away
                    log.warning("turn_lock_release_failed", error=str(error))

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self._redis.aclose()


def turn_locks(redis_url: str, seconds: float) -> TurnLocks:
    """Redis locks when the workers share a Redis server, else this process's own."""
    return RedisTurnLocks(redis_url, seconds) if redis_url else LocalTurnLocks()
