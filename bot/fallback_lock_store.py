"""Rasa's Redis lock store, locking within the replica while Redis does not answer.

With several Rasa replicas (`make cluster`), Rasa's Redis lock store lets one replica at
a time handle a conversation. Rasa 3.6's store raises on every Redis error, so while
Redis was down every message failed with a 500, and a Redis error in the lock's
cleanup failed a turn whose answer was already made and saved (bench.cluster_faults).
This store keeps the tickets in the replica's memory while Redis does not answer and
goes back to Redis when it does: the app holds its own per-conversation turn lock
(channels/chat/turn_lock.py), so an answer matters more here than a cross-replica lock
for the length of an outage.

Rasa's store also changes a lock by reading it, changing it and writing it back, so two
replicas taking a ticket for one conversation at once both got the same number and ran
two turns at once, one of which Rasa's SQL tracker store then lost (tests/cluster/
test_one_turn_at_a_time.py). Here every change of a lock is one Redis transaction that
starts again when another replica changed the lock in between (WATCH/MULTI/EXEC).

    lock_store:
      type: fallback_lock_store.FallbackRedisLockStore
      url: <redis host>
      port: 6379
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TypeVar

import redis  # type: ignore[import-untyped]  # 4.x in Rasa's environment
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, RedisLockStore
from rasa.utils.endpoints import EndpointConfig
from redis.exceptions import RedisError  # type: ignore[import-untyped]

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

    def _change(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        """Change the conversation's lock (created when there is none) in one Redis
        transaction, run again when another replica changed it meanwhile; a lock left
        without tickets is deleted."""
        key = self.key_prefix + conversation_id

        def in_transaction(pipe: redis.client.Pipeline) -> T:
            stored = pipe.get(key)
            lock = (
                TicketLock.from_dict(json.loads(stored))
                if stored
                else self.create_lock(conversation_id)
            )
            result = change(lock)
            pipe.multi()
            if lock.is_someone_waiting():
                pipe.set(key, lock.dumps())
            else:
                pipe.delete(key)
            return result

        result: T = self.red.transaction(in_transaction, key, value_from_callable=True)
        return result

    def _change_locally(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        lock = self._local.get_or_create_lock(conversation_id)
        result = change(lock)
        if lock.is_someone_waiting():
            self._local.save_lock(lock)
        else:
            self._local.delete_lock(conversation_id)
        return result

    def _changed(self, conversation_id: str, change: Callable[[TicketLock], T]) -> T:
        return self._either(
            lambda: self._change(conversation_id, change),
            lambda: self._change_locally(conversation_id, change),
        )

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """A new ticket for the conversation, never the number another replica got."""
        ticket: int = self._changed(conversation_id, lambda lock: lock.issue_ticket(lock_lifetime))
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        """Drop the conversation's expired tickets."""
        self._changed(conversation_id, lambda lock: lock.remove_expired_tickets())

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Drop the finished ticket; the lock goes when nobody else waits for it. A ticket
        issued in memory may end after Redis is back."""

        def drop(lock: TicketLock) -> None:
            lock.remove_ticket_for(ticket_number)

        if conversation_id in self._local.conversation_locks:
            self._change_locally(conversation_id, drop)
        self._either(lambda: self._change(conversation_id, drop), lambda: None)

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """The conversation's lock, from Redis or, while it is down, from memory."""
        return self._either(
            lambda: RedisLockStore.get_lock(self, conversation_id),
            lambda: self._local.get_lock(conversation_id),
        )
