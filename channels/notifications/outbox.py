"""Every notification, stored once per event, recipient and way, and its delivery state."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from channels.notifications.preferences import PreferenceStore
from channels.notifications.tables import notifications

Clock = Callable[[], datetime]
PENDING, HELD, SENDING, SENT, FAILED = "pending", "held", "sending", "sent", "failed"
# A claimed row whose sender died is tried again after this long.
CLAIM_LEASE = timedelta(minutes=5)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Event:
    """Something to tell a user; `key` names the event (e.g. "alert:…") and makes it once."""

    key: str
    username: str
    kind: str
    title: str
    body: str
    urgent: bool = False


@dataclass(frozen=True)
class Notification:
    id: int
    username: str
    kind: str
    way: str
    title: str
    body: str
    urgent: bool
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    read_at: datetime | None


class Outbox:
    """The notifications table (synchronous; call off the loop)."""

    def __init__(
        self, engine: Engine, preferences: PreferenceStore, clock: Clock = utc_now
    ) -> None:
        self._engine = engine
        self._preferences = preferences
        self.clock = clock

    def notify(self, event: Event) -> int:
        """One row per way the recipient chose for the kind; an event seen again adds none."""
        chosen = self._preferences.of(event.username)
        now = self.clock()
        quiet_end = None if event.urgent else chosen.quiet_until(now)
        made = 0
        for way in chosen.ways_for(event.kind):
            row = {
                "event_key": f"{event.key}|{event.username}|{way}"[:200],
                "username": event.username,
                "kind": event.kind,
                "way": way,
                "title": event.title[:100],
                "body": event.body,
                "urgent": event.urgent,
                # In the app the list shows it at once; quiet hours hold only what disturbs.
                "state": HELD if quiet_end and way != "app" else PENDING,
                "attempts": 0,
                "next_attempt_at": quiet_end if quiet_end and way != "app" else now,
                "created_at": now,
            }
            try:
                with self._engine.begin() as connection:
                    connection.execute(insert(notifications).values(**row))
                made += 1
            except IntegrityError:  # made before, by this worker or another
                continue
        return made

    def claim_due(self, limit: int = 20) -> list[Notification]:
        """Rows due now, each taken by one conditional update so no two senders share one."""
        now = self.clock()
        table = notifications
        due = (
            (table.c.state.in_((PENDING, HELD)) & (table.c.next_attempt_at <= now))
            # A claim whose sender died.
            | ((table.c.state == SENDING) & (table.c.next_attempt_at <= now))
        )
        with self._engine.connect() as connection:
            candidates = connection.execute(
                select(table.c.id, table.c.state, table.c.attempts)
                .where(due)
                .order_by(table.c.next_attempt_at)
                .limit(limit)
            ).all()
        claimed = []
        for candidate in candidates:
            with self._engine.begin() as connection:
                taken = connection.execute(
                    update(table)
                    .where(
                        (table.c.id == candidate.id)
                        & (table.c.state == candidate.state)
                        & (table.c.attempts == candidate.attempts)
                        & (table.c.next_attempt_at <= now)
                    )
                    .values(
                        state=SENDING,
                        attempts=candidate.attempts + 1,
                        next_attempt_at=now + CLAIM_LEASE,
                    )
                ).rowcount
            if taken:
                claimed.append(candidate.id)
        return [self.get(row_id) for row_id in claimed]

    def sent(self, row_id: int, attempts: int) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(notifications)
                .where((notifications.c.id == row_id) & (notifications.c.attempts == attempts))
                .values(state=SENT, sent_at=self.clock(), last_error=None)
            )

    def failed(self, row_id: int, attempts: int, error: str, retry_at: datetime | None) -> None:
        """A failed try: due again at `retry_at`, or `failed` for good when None."""
        values: dict[str, object] = {"last_error": error[:1000]}
        if retry_at is None:
            values |= {"state": FAILED}
        else:
            values |= {"state": PENDING, "next_attempt_at": retry_at}
        with self._engine.begin() as connection:
            connection.execute(
                update(notifications)
                .where((notifications.c.id == row_id) & (notifications.c.attempts == attempts))
                .values(**values)
            )

    def get(self, row_id: int) -> Notification:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(notifications).where(notifications.c.id == row_id)
            ).one()
        return _notification(row)

    def in_app(self, username: str, page: int, size: int) -> tuple[list[Notification], int]:
        """The user's in-app notifications, newest first."""
        where = (notifications.c.username == username) & (notifications.c.way == "app")
        with self._engine.connect() as connection:
            total = connection.execute(
                select(func.count()).select_from(notifications).where(where)
            ).scalar_one()
            rows = connection.execute(
                select(notifications)
                .where(where)
                .order_by(notifications.c.created_at.desc(), notifications.c.id.desc())
                .offset((page - 1) * size)
                .limit(size)
            ).all()
        return [_notification(row) for row in rows], total

    def mark_read(self, username: str, row_id: int) -> bool:
        """False when the user has no such in-app notification."""
        table = notifications
        with self._engine.begin() as connection:
            found = connection.execute(
                update(table)
                .where(
                    (table.c.id == row_id) & (table.c.username == username) & (table.c.way == "app")
                )
                .values(read_at=func.coalesce(table.c.read_at, self.clock()))
            ).rowcount
        return bool(found)

    def all_rows(self) -> list[Notification]:
        """Every row (for tests and operators)."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(notifications).order_by(notifications.c.id)).all()
        return [_notification(row) for row in rows]


def _notification(row: object) -> Notification:
    return Notification(**{name: getattr(row, name) for name in Notification.__dataclass_fields__})
