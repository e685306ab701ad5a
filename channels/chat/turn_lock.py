"""One turn at a time in a conversation, across app workers.

Two messages of one conversation arriving together (two tabs, a resend, each on its own
worker behind the balancer) were stored, sent to Rasa and answered interleaved: the
user's two messages, then both answers. A turn now holds its conversation's lock from
storing the user's message to storing the replies. In one process an asyncio lock does;
with REDIS_URL, a Redis lock that every worker shares. The Redis lock is a lease of
LEASE_SECONDS that the holder renews while its turn runs, so a worker that dies holding
it delays the conversation by at most that (a worker killed under load left its users'
resent messages waiting for the whole turn timeout, a minute, before); when Redis does
not answer, the turn goes on unlocked (logged): an answer matters more than the order
of two answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Protocol

import structlog
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
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


LEASE_SECONDS = 6.0


class RedisTurnLocks:
    """The turns of every worker sharing a Redis server."""

    def __init__(self, url: str, seconds: float, lease_seconds: float = LEASE_SECONDS) -> None:
        self._redis = Redis.from_url(url)
        self._seconds = seconds
        self._lease = lease_seconds

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[None]:
        """Wait (at most `seconds`) for the conversation's earlier turns."""
        lock = self._redis.lock(
            f"kaipiao:turn:{conversation_id}",
            timeout=self._lease,
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
        renewing = asyncio.create_task(self._renew(lock)) if held else None
        try:
            yield
        finally:
            if renewing is not None:
                renewing.cancel()
                await asyncio.gather(renewing, return_exceptions=True)
                try:
                    await lock.release()
                except (LockError, RedisError) as error:  # expired, or Redis went away
                    log.warning("turn_lock_release_failed", error=str(error))

    async def _renew(self, lock: Lock) -> None:
        """Keep the lease while the turn runs (renewed at a third of it)."""
        while True:
            await asyncio.sleep(self._lease / 3)
            try:
                await lock.reacquire()
            except (LockError, RedisError) as error:
                log.warning("turn_lock_renewal_failed", error=str(error))
                return

    async def close(self) -> None:
        """Close the connections to Redis."""
        await self._redis.aclose()


def turn_locks(redis_url: str, seconds: float) -> TurnLocks:
    """Redis locks when the workers share a Redis server, else this process's own."""
    return RedisTurnLocks(redis_url, seconds) if redis_url else LocalTurnLocks()
