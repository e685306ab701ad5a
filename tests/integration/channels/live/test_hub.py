"""The fan-out hub: in-process, and through Redis between two workers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

from bench.private_servers import private_redis
from channels.live.events import LiveEvents
from channels.live.hub import RESYNC, Hub, InProcessHub
from channels.live.redis_hub import RedisHub


async def _published_reach_subscribers(publisher: Hub, subscriber: Hub) -> None:
    topic = f"test:{uuid.uuid4().hex}"
    async with subscriber.subscribe(topic) as first, subscriber.subscribe(topic) as second:
        await publisher.publish(topic, {"n": 1, "text": "你好"})
        await publisher.publish("another-topic", {"n": 0})
        await publisher.publish(topic, {"n": 2})
        for events in (first, second):
            iterator = aiter(events)
            got = [await asyncio.wait_for(anext(iterator), 5) for _ in range(2)]
            assert got == [{"n": 1, "text": "你好"}, {"n": 2}]


async def test_in_process_events_reach_every_subscriber_of_the_topic_in_order() -> None:
    hub = InProcessHub()
    await _published_reach_subscribers(hub, hub)


async def test_an_event_without_subscribers_goes_nowhere_and_unsubscribing_cleans_up() -> None:
    hub = InProcessHub()
    await hub.publish("nobody", {"n": 1})
    async with hub.subscribe("t"):
        pass
    assert hub._subscribers == {}


async def test_redis_carries_events_from_one_worker_to_another(redis_url: str) -> None:
    worker_a, worker_b = RedisHub(redis_url), RedisHub(redis_url)
    try:
        assert await worker_a.ping()
        await _published_reach_subscribers(worker_a, worker_b)
    finally:
        await worker_a.close()
        await worker_b.close()


async def test_a_dead_redis_raises_nothing_to_the_sender(
    free_port: Callable[[], int],
) -> None:
    dead = RedisHub(f"redis://127.0.0.1:{free_port()}/0")
    try:
        await LiveEvents(dead).typing("some-conversation", "bot", True, to_agents=False)
    finally:
        await dead.close()


async def _next(events: Any) -> Any:
    return await asyncio.wait_for(anext(aiter(events)), 10)


async def test_while_redis_is_down_a_worker_serves_its_own_sockets_and_resyncs_after() -> None:
    with private_redis() as server:
        worker_a, worker_b = RedisHub(server.url), RedisHub(server.url)
        try:
            async with worker_a.subscribe("t") as on_a:
                server.stop()
                await worker_b.publish("t", {"n": "lost: said on B"})
                await worker_a.publish("t", {"n": 1})
                assert await _next(on_a) == {"n": 1}
                async with worker_a.subscribe("t") as joined_while_down:
                    await worker_a.publish("t", {"n": 2})
                    assert await _next(joined_while_down) == {"n": 2}
                    assert await _next(on_a) == {"n": 2}
                    await asyncio.to_thread(server.start)
                    for events in (on_a, joined_while_down):
                        assert await _next(events) == {"type": RESYNC}
                    await worker_b.publish("t", {"n": 3})
                    assert await _next(on_a) == {"n": 3}
                    assert await _next(joined_while_down) == {"n": 3}
        finally:
            await worker_a.close()
            await worker_b.close()
