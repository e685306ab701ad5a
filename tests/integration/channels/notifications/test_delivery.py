"""Delivery: made once per event, held in quiet hours, retried with backoff, never twice."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine

from channels.handoff.tickets import TicketStore
from channels.notifications.outbox import Event, Notification, Outbox
from channels.notifications.preferences import PreferenceStore, parse_preferences
from channels.notifications.sender import RetryPolicy, Sender
from channels.notifications.ways import DeliveryFailed
from tests.integration.channels.conftest import USER, AppFactory, bearer, log_in


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Recording:
    """A way that records what it sends, failing the first `failures` tries."""

    def __init__(self, failures: int = 0, pause: float = 0.0) -> None:
        self.sent: list[int] = []
        self.failures = failures
        self.pause = pause
        self._lock = threading.Lock()

    async def send(self, notification: Notification) -> None:
        if self.pause:
            await asyncio.sleep(self.pause)
        with self._lock:
            if self.failures:
                self.failures -= 1
                raise DeliveryFailed("服务暂不可用")
            self.sent.append(notification.id)


def _choose(engine: Engine, username: str, **settings: object) -> None:
    PreferenceStore(engine).keep(username, parse_preferences(settings))


def test_a_new_risk_alert_makes_one_notification_per_admin_and_way_once(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    _choose(engine, "admin", ways={"risk_alert": ["app", "email"]})
    for _ in range(3):  # three wrong passwords: the repeated-failed-logins alert
        client.post("/api/v1/auth/token", json={"username": "demo", "password": "wrong"})
    notes = client.app.state.notifications  # type: ignore[attr-defined]
    notes.watcher.look_once()
    notes.watcher.look_once()  # seen again: nothing new
    rows = [n for n in notes.outbox.all_rows() if n.kind == "risk_alert" and "登录失败" in n.body]
    assert sorted((n.username, n.way) for n in rows) == [("admin", "app"), ("admin", "email")]
    assert all(n.state == "pending" and not n.urgent for n in rows)
    # The issuer "demo" is no admin: risk alerts are not theirs.
    assert not [n for n in notes.outbox.all_rows() if n.username == "demo"]


def test_a_ticket_marked_done_notifies_the_user_who_left_it(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    tickets = TicketStore(engine)
    ticket = tickets.open_ticket(None, "demo", "13800000000", "发票怎么红冲？")
    assert tickets.close_ticket(ticket.id, "agent")
    notes = client.app.state.notifications  # type: ignore[attr-defined]
    notes.watcher.look_once()
    demo = bearer(log_in(client, USER))
    items = client.get("/api/v1/notifications", headers=demo).json()["items"]
    assert [item["title"] for item in items] == ["您的留言已处理"]


def test_quiet_hours_hold_a_non_urgent_notice_until_they_end_but_not_an_urgent_one(
    engine: Engine,
) -> None:
    # 23:00 in Shanghai, quiet 22:00–08:00.
    clock = Clock(datetime(2026, 12, 7, 15, 0, tzinfo=UTC))
    _choose(
        engine,
        "demo",
        ways={"ticket_reply": ["app", "email"], "risk_alert": ["email"]},
        quiet_from="22:00",
        quiet_to="08:00",
    )
    outbox = Outbox(engine, PreferenceStore(engine), clock)
    email = Recording()
    sender = Sender(outbox, {"app": Recording(), "email": email}, RetryPolicy())
    outbox.notify(Event("quiet:1", "demo", "ticket_reply", "留言已处理", "……"))
    outbox.notify(Event("quiet:2", "demo", "risk_alert", "风险预警（高）", "……", urgent=True))
    asyncio.run(sender.send_due())
    rows = {(n.kind, n.way): n for n in outbox.all_rows()}
    assert rows["ticket_reply", "app"].state == "sent"  # the list shows it at once
    assert rows["risk_alert", "email"].state == "sent"  # urgent: not held
    held = rows["ticket_reply", "email"]
    assert held.state == "held"
    assert held.next_attempt_at == datetime(2026, 12, 8, 0, 0, tzinfo=UTC)  # 08:00 Shanghai
    clock.now = datetime(2026, 12, 7, 23, 59, tzinfo=UTC)
    asyncio.run(sender.send_due())
    assert outbox.get(held.id).state == "held"
    clock.now = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
    asyncio.run(sender.send_due())
    assert outbox.get(held.id).state == "sent"
    assert email.sent.count(held.id) == 1


def test_a_failing_way_is_retried_with_doubling_waits_then_failed_after_the_limit(
    engine: Engine,
) -> None:
    clock = Clock(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))
    _choose(engine, "demo", ways={"ticket_reply": ["sms"]})
    outbox = Outbox(engine, PreferenceStore(engine), clock)
    policy = RetryPolicy(attempts=3, backoff=timedelta(seconds=30))
    sender = Sender(outbox, {"sms": Recording(failures=10)}, policy)
    outbox.notify(Event("retry:1", "demo", "ticket_reply", "留言已处理", "……"))
    (row,) = outbox.all_rows()
    waits = []
    for _ in range(3):
        assert asyncio.run(sender.send_due()) == 1
        after = outbox.get(row.id)
        if after.state == "pending":
            waits.append(after.next_attempt_at - clock.now)
            assert asyncio.run(sender.send_due()) == 0  # not due before its wait
            clock.now = after.next_attempt_at
    final = outbox.get(row.id)
    assert waits == [timedelta(seconds=30), timedelta(seconds=60)]
    assert (final.state, final.attempts, final.last_error) == ("failed", 3, "服务暂不可用")
    assert asyncio.run(sender.send_due()) == 0


def test_two_senders_running_at_once_send_each_notification_once(engine: Engine) -> None:
    _choose(engine, "demo", ways={"ticket_reply": ["email"]})
    way = Recording(pause=0.01)
    outboxes = [Outbox(engine, PreferenceStore(engine)) for _ in range(2)]
    for number in range(30):
        outboxes[0].notify(Event(f"twice:{number}", "demo", "ticket_reply", "标题", "内容"))
    senders = [Sender(outbox, {"email": way}, RetryPolicy()) for outbox in outboxes]

    def drain(sender: Sender) -> None:
        async def run() -> None:
            while await sender.send_due():
                pass

        asyncio.run(run())

    threads = [threading.Thread(target=drain, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = outboxes[0].all_rows()
    assert sorted(way.sent) == sorted(n.id for n in rows)
    assert len(set(way.sent)) == len(way.sent) == 30
    assert {(n.state, n.attempts) for n in rows} == {("sent", 1)}


def test_an_event_seen_by_two_workers_is_notified_once(engine: Engine) -> None:
    outboxes = [Outbox(engine, PreferenceStore(engine)) for _ in range(2)]
    event = Event("once:1", "demo", "ticket_reply", "标题", "内容")
    assert [outbox.notify(event) for outbox in outboxes] == [1, 0]
