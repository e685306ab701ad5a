"""A long conversation's turns stay bounded: bot/bounded_sessions.py's tracker store.

Rasa loads the current session's events on every message, and the policies and every
action call work on all of them: the number loaded per turn must not grow with the
conversation. The turns are driven as Rasa's processor drives the store (retrieve,
the turn's events, save), on the real domain and an SQLite database.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa  # type: ignore[import-untyped]  # 1.4 in Rasa's environment
from bounded_sessions import BoundedSQLTrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.utils import common
from served_app import ROOT

SENDER = "long-conversation"
MAX_EVENTS = 40
KEEP_TURNS = 2
TURNS = 300
# A turn: the message, its action, the reply, a slot, and back to listening.
EVENTS_PER_TURN = 5


def _store(path: Path) -> BoundedSQLTrackerStore:
    domain = Domain.load(str(ROOT / "bot" / "domain.yml"))
    return BoundedSQLTrackerStore(
        domain=domain,
        host=f"sqlite:///{path / 'tracker.db'}",
        max_session_events=MAX_EVENTS,
        keep_turns=KEEP_TURNS,
    )


async def _turn(store: BoundedSQLTrackerStore, n: int) -> tuple[int, DialogueStateTracker]:
    """One turn as Rasa's processor runs it; the number of events the store loaded."""
    tracker = await store.retrieve(SENDER)
    if tracker is None:
        tracker = DialogueStateTracker(SENDER, store.domain.slots)
        for event in (
            ActionExecuted(ACTION_SESSION_START_NAME),
            SessionStarted(),
            SlotSet("logged_in", False),
            ActionExecuted(ACTION_LISTEN_NAME),
        ):
            tracker.update(event)
    loaded = len(tracker.events)
    tracker.update(UserUttered(f"第{n}条", {"name": "ask_report", "confidence": 1.0}))
    tracker.update(ActionExecuted("action_report"))
    tracker.update(BotUttered(f"回复{n}"))
    tracker.update(SlotSet("current_invoice", f"{n:08d}"))
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    await store.save(tracker)
    return loaded, tracker


def _conversation(
    store: BoundedSQLTrackerStore, turns: int = TURNS
) -> tuple[list[int], DialogueStateTracker]:
    async def run() -> tuple[list[int], DialogueStateTracker]:
        loaded = []
        tracker = None
        for n in range(turns):
            count, tracker = await _turn(store, n)
            loaded.append(count)
        assert tracker is not None
        return loaded, tracker

    return asyncio.run(run())


def _database_steps(store: BoundedSQLTrackerStore) -> list[int]:
    """A counter of the steps SQLite's engine takes for the store (rows read, compared,
    written), which grows with every row a query reads, however it is read."""
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    def watch(connection: sqlite3.Connection, _: object) -> None:
        connection.set_progress_handler(count, 1)

    sa.event.listen(store.engine, "connect", watch)
    store.engine.dispose()  # connections made before the listener go
    return steps


def test_the_events_loaded_per_turn_stay_bounded_as_the_conversation_grows(
    tmp_path: Path,
) -> None:
    loaded, _ = _conversation(_store(tmp_path))
    # A session rolls over when the message that finds it past the limit comes.
    assert max(loaded) <= MAX_EVENTS
    # Not cut short either: late in the conversation a session still reaches the limit.
    assert max(loaded[-50:]) > MAX_EVENTS - EVENTS_PER_TURN


def test_a_new_session_keeps_the_slots_and_the_last_turns(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _, last = _conversation(store)
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None
    assert tracker.get_slot("logged_in") is False
    assert tracker.get_slot("current_invoice") == last.get_slot("current_invoice")
    said = [event.text for event in tracker.events if isinstance(event, UserUttered)]
    assert said[-KEEP_TURNS:] == [f"第{n}条" for n in range(TURNS - KEEP_TURNS, TURNS)]


def test_every_turn_is_still_kept_in_the_full_tracker(tmp_path: Path) -> None:
    store = _store(tmp_path)
    _conversation(store)
    full = asyncio.run(store.retrieve_full_tracker(SENDER))
    said = {event.text for event in full.events if isinstance(event, UserUttered)}
    assert said == {f"第{n}条" for n in range(TURNS)}


def test_no_new_session_while_a_form_is_active(tmp_path: Path) -> None:
    store = _store(tmp_path)
    tracker = DialogueStateTracker(SENDER, store.domain.slots)
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    tracker.update(ActiveLoop("issue_invoice_form"))
    for n in range(MAX_EVENTS):
        tracker.update(UserUttered(f"第{n}条", {"name": "inform", "confidence": 1.0}))
        tracker.update(ActionExecuted(ACTION_LISTEN_NAME))
    asyncio.run(store.save(tracker))
    loaded = asyncio.run(store.retrieve(SENDER))
    assert loaded is not None
    assert len(loaded.events) == len(tracker.events)


def test_a_session_is_read_as_a_range_of_one_index_not_the_senders_every_event(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    _conversation(store)
    with store.session_scope() as session:
        query = store._event_query(session, SENDER, fetch_events_from_all_sessions=False)
        compiled = query.statement.compile(store.engine, compile_kwargs={"literal_binds": True})
        plan = " | ".join(
            str(row[-1]) for row in session.execute(sa.text(f"EXPLAIN QUERY PLAN {compiled}"))
        )
    # Either index on the sender reads the session as a range from its start: Rasa's own
    # on sender_id carries the rowid (= id) too, and SQLite takes one or the other.
    ranges = ("events_by_sender (sender_id=? AND id>?)", "sender_id (sender_id=? AND rowid>?)")
    assert any(reading in plan for reading in ranges), plan
    assert "events_session_starts (sender_id=? AND type_name=?)" in plan, plan


def test_the_database_reads_no_more_per_turn_late_in_a_long_conversation(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    steps = _database_steps(store)
    per_turn = []
    for _ in range(6):  # six stretches of 50 turns, each several sessions long
        before = steps[0]
        _conversation(store, 50)
        per_turn.append((steps[0] - before) / 50)
    # Retrieval and save's count read the session, not all the sender's rows: the work
    # per turn is the same at turn 300 as at turn 100. (With Rasa's own query, which
    # filters every row of the sender, it was 3.3 times as much: 42,000 steps a turn.)
    assert per_turn[-1] < 1.15 * per_turn[1], per_turn


def test_rasa_finds_an_event_type_once_not_for_every_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = _store(tmp_path)
    _conversation(store, 10)
    walks = []
    walk = common.all_subclasses

    def counted(cls: type) -> list[type]:
        walks.append(cls)
        found: list[type] = walk(cls)
        return found

    monkeypatch.setattr(common, "all_subclasses", counted)
    tracker = asyncio.run(store.retrieve(SENDER))
    assert tracker is not None and len(tracker.events) > 10
    assert walks == []
    assert Event.resolve_by_type("user") is UserUttered
    assert Event.resolve_by_type("no such event", default=SlotSet) is SlotSet


def test_a_database_away_for_a_while_is_waited_for_not_taken_for_a_new_conversation(
    tmp_path: Path,
) -> None:
    store = _store(tmp_path)
    asyncio.run(_turn(store, 1))
    # Another process holds the database longer than SQLite's own 5 s wait, as a
    # restarting server would be away: the turn's retrieval and save wait it out.
    holder = sqlite3.connect(tmp_path / "tracker.db", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(6.5, holder.rollback)
    release.start()
    try:
        loaded, _ = asyncio.run(_turn(store, 2))
    finally:
        release.join()
        holder.close()
    assert loaded > 0  # the conversation was found, not started afresh
    stored = asyncio.run(store.retrieve(SENDER))
    assert stored is not None
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["第1条", "第2条"]
