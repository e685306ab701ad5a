"""Rasa's lock store keeps serving while Redis is down: bot/fallback_lock_store.py.

A redis-server of the test's own is stopped and started again; the lock store is the
one `bot/endpoints.scale.yml` names, driven as Rasa's processor drives it
(`async with store.lock(conversation)` around a turn).
"""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis  # type: ignore[import-untyped]  # 4.x in Rasa's environment
from fallback_lock_store import FallbackRedisLockStore
from rasa.utils.endpoints import EndpointConfig

CONVERSATION = "c1"


class Server:
    """A redis-server on a free port, stopped and started at will (bench/private_servers.py
    has the app's; these tests run in Rasa's environment, which cannot import bench/)."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        self.process = subprocess.Popen([*command, "--save", ""], stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                redis.Redis(port=self.port).ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.kill()
        self.process.wait()


@pytest.fixture
def server() -> Iterator[Server]:
    running = Server()
    running.start()
    yield running
    if running.process is not None and running.process.poll() is None:
        running.stop()


def _store(server: Server) -> FallbackRedisLockStore:
    config = EndpointConfig(
        url="127.0.0.1", type="x", port=str(server.port), db="1", key_prefix="t", socket_timeout=2
    )
    return FallbackRedisLockStore(config)


async def _two_turns(store: FallbackRedisLockStore) -> list[str]:
    """Two turns of one conversation at once; the order their steps ran in."""
    steps: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock(CONVERSATION, wait_time_in_seconds=0.05):
            steps.append(f"{name} starts")
            await asyncio.sleep(0.2)
            steps.append(f"{name} ends")

    first = asyncio.create_task(turn("first"))
    await asyncio.sleep(0.05)
    await asyncio.gather(first, turn("second"))
    return steps


SERIAL = ["first starts", "first ends", "second starts", "second ends"]


def _held_in_redis(store: FallbackRedisLockStore, server: Server) -> bool:
    """Whether a turn's lock is in Redis while the turn runs."""

    async def held() -> bool:
        async with store.lock(CONVERSATION):
            return bool(redis.Redis(port=server.port, db=1).exists(store.key_prefix + CONVERSATION))

    return asyncio.run(held())


def test_turns_are_locked_in_redis_while_it_answers(server: Server) -> None:
    store = _store(server)
    assert _held_in_redis(store, server)
    assert asyncio.run(_two_turns(store)) == SERIAL
    assert not redis.Redis(port=server.port, db=1).exists(store.key_prefix + CONVERSATION)


def test_turns_go_on_one_at_a_time_while_redis_is_down_and_back(server: Server) -> None:
    store = _store(server)
    server.stop()
    assert asyncio.run(_two_turns(store)) == SERIAL
    assert store._local.conversation_locks == {}
    server.start()
    assert _held_in_redis(store, server)


def test_redis_going_away_inside_a_turn_does_not_fail_the_turn(server: Server) -> None:
    store = _store(server)

    async def turn() -> str:
        async with store.lock(CONVERSATION):
            server.stop()  # the turn's answer is made; the lock's cleanup meets no Redis
            return "answered"

    assert asyncio.run(turn()) == "answered"


def test_two_replicas_taking_tickets_at_once_never_get_the_same_number(server: Server) -> None:
    """Rasa's own store read a lock, added a ticket and wrote it back: two replicas taking
    a ticket for a new conversation at once both got ticket 0 and ran two turns at once."""
    replicas = [_store(server) for _ in range(2)]
    takers = 8
    for round_ in range(20):
        conversation = f"at-once-{round_}"
        start = threading.Barrier(takers)

        def take(n: int, conversation: str = conversation, start: threading.Barrier = start) -> int:
            start.wait()
            return replicas[n % 2].issue_ticket(conversation)

        with ThreadPoolExecutor(takers) as pool:
            tickets = list(pool.map(take, range(takers)))
        assert sorted(tickets) == list(range(takers))


def test_a_finished_turn_leaves_the_tickets_taken_meanwhile_by_the_other_replica(
    server: Server,
) -> None:
    first, second = _store(server), _store(server)
    mine = first.issue_ticket(CONVERSATION)
    theirs = second.issue_ticket(CONVERSATION)
    first.cleanup(CONVERSATION, mine)
    lock = second.get_lock(CONVERSATION)
    assert lock is not None and lock.now_serving == theirs
    second.cleanup(CONVERSATION, theirs)
    assert second.get_lock(CONVERSATION) is None
