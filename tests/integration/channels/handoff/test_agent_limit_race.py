"""Workers assigning at the same moment cannot take one agent past the limit."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import Engine, func, select

from channels.conversations.store import ConversationStore
from channels.conversations.tables import conversations
from channels.handoff.store import Assignment, HandoffStore

LIMIT = 3
RACERS = 12


def test_concurrent_assignments_stop_at_the_agents_limit(engine: Engine) -> None:
    store, handoffs = ConversationStore(engine), HandoffStore(engine)
    agent = f"racer-{uuid.uuid4().hex[:8]}"
    waiting = []
    for _ in range(RACERS):
        conversation = store.open(None, "api")
        assert handoffs.to_waiting(conversation.id, "user_request")
        waiting.append(conversation.id)
    start = threading.Barrier(RACERS)
    outcomes: list[Assignment] = []

    def race(conversation_id: str) -> None:
        start.wait()
        outcomes.append(handoffs.assign(conversation_id, agent, "赛跑客服", LIMIT))

    threads = [threading.Thread(target=race, args=(c,)) for c in waiting]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    with engine.connect() as connection:
        held = connection.execute(
            select(func.count()).where(conversations.c.agent == agent)
        ).scalar_one()
    assert held == LIMIT
    assert sorted(o.value for o in outcomes) == sorted(
        [Assignment.DONE.value] * LIMIT + [Assignment.AGENT_FULL.value] * (RACERS - LIMIT)
    )
