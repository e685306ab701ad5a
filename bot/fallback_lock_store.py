"""Rasa's Redis lock store, locking within the replica while Redis does not answer.

With several Rasa replicas (`make cluster`), Rasa's Redis lock store lets one replica at
a time handle a conversation. Rasa 3.6's store raises on every Redis error, so while
Redis was down every message failed with a 500, and a Redis error in the lock's
cleanup failed a turn whose answer was already made and saved (bench.cluster_faults).
This store keeps the tickets in the replica's memory while Redis does not answer and
goes back to Redis when it does: the app holds its own per-conversation turn lock
(channels/chat/turn_lock.py), so an answer matters more here than a cross-replica lock
for the length of an outage.

    lock_store:
      type: fallback_lock_store.FallbackRedisLockStore
      url: <redis host>
      port: 6379
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError  # type: ignore[import-untyped]  # 4.x in Rasa's environment

logger = logging.getLogger(__name__)
T = TypeVar("T")


class FallbackRedisLockStore(RedisLockStore):  # type: ignore[misc]
    """Tickets in Redis, or in this replica's memory while Redis does not answer."""

    def __init__(self, endpoint_config: EndpointConfig) -> None:
        super().__init__(host=endpoint_config.url or "localhost", **endpoint_config.kwargs)
        self._local = InMemoryLockStore()
        self._redis_down = False

    def _either(self, in_redis: Callable[[], T], in_memory: Callable[[], T]) -> T:
        try:
            result = in_redis()
        except RedisError as error:
            if not self._redis_down:
                logger.warning("lock store: Redis does not answer, locking in memory: %s", error)
            self._redis_down = True
            return in_memory()
        if self._redis_down:
            logger.warning("lock store: Redis answers again")
            self._redis_down = False
        return result

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's lock, from Redis or, while it is down, from memory."""
        return self._either(
            lambda: RedisLockStore.get_lock(self, conversation_id),
            lambda: self._local.get_lock(conversation_id),
        )

    def save_lock(self, lock: TicketLock) -> None:
        """Save the lock to Redis or, while it is down, to memory."""
        self._either(
            lambda: RedisLockStore.save_lock(self, lock),
            lambda: self._local.save_lock(lock),
        )

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the lock wherever it is (a ticket issued in memory may end after Redis
        is back)."""
        self._local.conversation_locks.pop(conversation_id, None)
        self._either(
            lambda: RedisLockStore.delete_lock(self, conversation_id),
            lambda: None,
        )
