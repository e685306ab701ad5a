"""The periodic job that turns events into notifications.

Its sources are callables the composition root builds from the core's public services
(risk alerts, red-letter forms) and, here, the tickets an agent marked done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence

import structlog
from anyio import to_thread
from sqlalchemy import Engine, select

from channels.handoff.tables import tickets
from channels.notifications.outbox import Event, Outbox

log = structlog.get_logger(__name__)
EventSource = Callable[[], Iterable[Event]]


def answered_tickets(engine: Engine, limit: int = 200) -> EventSource:
    """Tickets an agent marked done (for now that counts as the reply) of logged-in users."""

    def events() -> list[Event]:
        with engine.connect() as connection:
            rows = connection.execute(
                select(tickets.c.id, tickets.c.username, tickets.c.text)
                .where((tickets.c.status == "done") & tickets.c.username.is_not(None))
                .order_by(tickets.c.closed_at.desc())
                .limit(limit)
            ).all()
        return [
            Event(
                f"ticket:{row.id}",
                row.username,
                "ticket_reply",
                "您的留言已处理",
                f"您的留言“{row.text[:40]}”已由客服处理完毕。",
            )
            for row in rows
        ]

    return events


class Watcher:
    def __init__(self, outbox: Outbox, sources: Sequence[EventSource]) -> None:
        self._outbox = outbox
        self._sources = sources

    def look_once(self) -> int:
        """Notify every event of every source; events seen before add nothing."""
        made = 0
        for source in self._sources:
            try:
                for event in source():
                    made += self._outbox.notify(event)
            except Exception as failure:  # one source's trouble does not stop the others
                log.warning("notification_source_failed", error=repr(failure))
        return made

    async def run_forever(self, every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            await to_thread.run_sync(self.look_once)
