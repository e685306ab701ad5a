"""Rasa's SQL tracker store with conversation sessions of bounded length.

Rasa loads every event of a conversation's current session on each message, replays
them into a tracker, has the policies build the dialogue states of all of them for each
prediction and sends all of them to the action server with every custom action call. A
session ends only after `session_expiration_time` of silence, so a conversation kept
going (WeChat users keep one for months) made each turn cost more than the last.

When the session loaded for a new message holds more than `max_session_events` events,
this store starts a new one, as `action_session_start` would: the slots' current values
are carried over, and so are the last `keep_turns` turns (re-stamped into the new
session), so rules and memoization, which look a few turns back, see the same recent
history. It only does so between turns (the last event is `action_listen`) and outside
forms, so no turn or form is cut in two. Older events stay in the database
(`retrieve_full_tracker` still returns them); they are just no longer loaded per turn.

Rasa's own query for a session reads every event the sender ever had (its one index
is on `sender_id`) and keeps the session's by timestamp, for each retrieval and for
the count `save` makes, so the database's reads still grew with the conversation.
This store finds the session's events as a range of one index instead: from the
newest `session_started` event's id on (indexes on `(sender_id, type_name, id)` and
`(sender_id, id)`, made if missing).

Rasa finds each event's class by its type name by walking every subclass of `Event`
(asking `inspect.isabstract` of each) for every event it deserialises: the session's
events on each retrieval, and the events each action returns. That was 7-8% of Rasa's
CPU per turn (py-spy, bench/README.md); this store makes Rasa remember each name's
class (`remember_event_types`).

A database restarting or failing over is gone for a few seconds, and Rasa's fail-safe
wrapper takes a failed retrieval for a new conversation (the form and the slots
forgotten, bench.cluster_faults) and keeps a failed save in memory only. This store
waits for the database instead, up to DATABASE_PATIENCE_SECONDS.

endpoints.yml: `type: bounded_sessions.BoundedSQLTrackerStore`, with the SQL store's
options and optionally `max_session_events` and `keep_turns`.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import inspect
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import sqlalchemy as sa  # type: ignore[import-untyped]  # 1.4 in Rasa's environment
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# About 5 events make a turn here: a new session every 30 turns or so.
MAX_SESSION_EVENTS = 200
KEEP_TURNS = 5
DATABASE_PATIENCE_SECONDS = 15.0
T = TypeVar("T")


async def patiently(call: Callable[[], Awaitable[T]]) -> T:
    """`call()`, again every half second while the database cannot be reached (or is
    locked), for up to DATABASE_PATIENCE_SECONDS."""
    deadline = time.monotonic() + DATABASE_PATIENCE_SECONDS
    while True:
        try:
            return await call()
        except sa.exc.OperationalError:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.5)


class BoundedSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]
    """An SQLTrackerStore whose sessions roll over once they hold too many events."""

    def __init__(
        self,
        *args: Any,
        max_session_events: int = MAX_SESSION_EVENTS,
        keep_turns: int = KEEP_TURNS,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        remember_event_types()
        self.max_session_events = int(max_session_events)
        self.keep_turns = int(keep_turns)
        event = self.SQLEvent
        for index in (
            sa.Index("events_session_starts", event.sender_id, event.type_name, event.id),
            sa.Index("events_by_sender", event.sender_id, event.id),
        ):
            try:
                index.create(self.engine, checkfirst=True)
            except sa.exc.DBAPIError:  # another replica made it at the same moment
                made = sa.inspect(self.engine).get_indexes(event.__tablename__)
                if index.name not in {found["name"] for found in made}:
                    raise

    def _event_query(
        self, session: Any, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> Any:
        """The sender's events from its latest session's start (all of them when asked
        for every session, or before any session started), in order."""
        if fetch_events_from_all_sessions:
            return super()._event_query(session, sender_id, fetch_events_from_all_sessions)
        event = self.SQLEvent
        start = (
            session.query(sa.func.max(event.id))
            .filter(event.sender_id == sender_id, event.type_name == SessionStarted.type_name)
            .scalar_subquery()
        )
        return (
            session.query(event)
            .filter(event.sender_id == sender_id, event.id >= sa.func.coalesce(start, 0))
            .order_by(event.id)
        )

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The current session's tracker, started afresh first when it has grown too long."""
        return await patiently(lambda: self._retrieve_session(sender_id))

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Save the tracker's new events, waiting for a database that is away."""
        await patiently(lambda: SQLTrackerStore.save(self, tracker))

    async def _retrieve_session(self, sender_id: str) -> DialogueStateTracker | None:
        tracker: DialogueStateTracker | None = await super().retrieve(sender_id)
        if tracker is None or not self._should_roll_over(tracker):
            return tracker
        self._append(sender_id, rolled_over(tracker, self.keep_turns))
        rolled: DialogueStateTracker | None = await super().retrieve(sender_id)
        return rolled

    def _should_roll_over(self, tracker: DialogueStateTracker) -> bool:
        return (
            len(tracker.events) > self.max_session_events
            and tracker.latest_action_name == ACTION_LISTEN_NAME
            and not tracker.active_loop_name
        )

    def _append(self, sender_id: str, events: list[Event]) -> None:
        """Store events as `save` does (they are not in any tracker `save` will see)."""
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {}).get("intent", {}).get("name"),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()


_event_types: dict[str, type[Event]] = {}
# Rasa's own, even when this module is loaded again after patching it.
_resolve_by_type = inspect.unwrap(Event.resolve_by_type)


@functools.wraps(_resolve_by_type)
def _remembered_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type`, each name's class found once."""
    found = _event_types.get(type_name)
    if found is None:
        found = _resolve_by_type(type_name, default)
        if found is not None and found.type_name == type_name:  # not the default
            _event_types[type_name] = found
    return found


def remember_event_types() -> None:
    """Make Rasa find an event's class by its type name once, not on every event."""
    Event.resolve_by_type = staticmethod(_remembered_type)


def rolled_over(tracker: DialogueStateTracker, keep_turns: int) -> list[Event]:
    """The events that start a new session from `tracker`: what action_session_start
    logs, the slots' current values, then the last `keep_turns` turns re-stamped."""
    now = time.time()
    carried: list[Event] = [
        SlotSet(slot.name, slot.value, timestamp=now)
        for slot in tracker.slots.values()
        if slot.value != slot.initial_value
    ]
    events: list[Event] = [
        # Before the session's start, as Rasa logs it: not loaded with the session.
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=now - 0.001),
        SessionStarted(timestamp=now),
        *carried,
        ActionExecuted(ACTION_LISTEN_NAME, timestamp=now),
    ]
    for event in last_turns(tracker, keep_turns):
        kept = copy.copy(event)
        kept.timestamp = now
        events.append(kept)
    return events


def last_turns(tracker: DialogueStateTracker, turns: int) -> list[Event]:
    """The events from the `turns`-th last user message on (none when `turns` is 0)."""
    if turns <= 0:
        return []
    events = list(tracker.events)
    starts = [n for n, event in enumerate(events) if isinstance(event, UserUttered)]
    if not starts:
        return []
    return events[starts[-turns] if len(starts) >= turns else starts[0] :]
