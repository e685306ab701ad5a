"""A conversation's turns one at a time: in one process, and across workers through Redis."""

from __future__ import annotations

import asyncio
from uuid import uuid4

from redis.asyncio import Redis

from channels.chat.turn_lock import LocalTurnLocks, RedisTurnLocks, TurnLocks


async def _two_turns(
    first: TurnLocks, second: TurnLocks, conversation_id: str, seconds: float = 0.2
) -> list[str]:
    """Two turns of one conversation started together, each `seconds` long; the order
    they ran in."""
    order: list[str] = []

    async def turn(locks: TurnLocks, name: str, delay: float) -> None:
        await asyncio.sleep(delay)
        async with locks.hold(conversation_id):
            order.append(f"{name} starts")
            await asyncio.sleep(seconds)
            order.append(f"{name} ends")

    await asyncio.gather(turn(first, "one", 0), turn(second, "two", 0.05))
    return order


IN_TURN = ["one starts", "one ends", "two starts", "two ends"]


async def test_in_one_process_the_second_turn_waits_for_the_first() -> None:
    locks = LocalTurnLocks()
    assert await _two_turns(locks, locks, "c-1") == IN_TURN
    # Other conversations do not wait, and no lock is kept once nobody wants it.
    other = await asyncio.gather(_two_turns(locks, locks, "c-2"), _two_turns(locks, locks, "c-3"))
    assert list(other) == [IN_TURN, IN_TURN]
    assert locks._locks == {}


async def test_two_workers_sharing_redis_take_turns(redis_url: str) -> None:
    worker_a, worker_b = RedisTurnLocks(redis_url, 5), RedisTurnLocks(redis_url, 5)
    try:
        assert await _two_turns(worker_a, worker_b, f"c-{uuid4().hex}") == IN_TURN
    finally:
        await worker_a.close()
        await worker_b.close()


async def test_a_turn_longer_than_the_lease_keeps_its_lock(redis_url: str) -> None:
    worker_a = RedisTurnLocks(redis_url, 5, lease_seconds=0.6)
    worker_b = RedisTurnLocks(redis_url, 5, lease_seconds=0.6)
    try:
        assert await _two_turns(worker_a, worker_b, f"c-{uuid4().hex}", seconds=1.5) == IN_TURN
    finally:
        await worker_a.close()
        await worker_b.close()


async def test_a_lock_left_by_a_dead_worker_expires(redis_url: str) -> None:
    conversation_id = f"c-{uuid4().hex}"
    redis = Redis.from_url(redis_url)
    # A worker took the lock for a second and died without letting it go.
    assert await redis.lock(f"kaipiao:turn:{conversation_id}", timeout=1).acquire()
    locks = RedisTurnLocks(redis_url, 5)
    try:
        started = asyncio.get_running_loop().time()
        async with locks.hold(conversation_id):
            waited = asyncio.get_running_loop().time() - started
        assert 0.5 < waited < 4
    finally:
        await locks.close()
        await redis.aclose()


async def test_without_redis_the_turn_goes_on_unlocked() -> None:
    locks = RedisTurnLocks("redis://127.0.0.1:1/0", 5)  # nothing listens on port 1
    ran = False
    try:
        async with locks.hold("c-1"):
            ran = True
    finally:
        await locks.close()
    assert ran
