"""The background sender: claims due notifications, sends them, retries with backoff."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import structlog
from anyio import to_thread

from channels.notifications.outbox import Notification, Outbox
from channels.notifications.ways import DeliveryFailed, Way

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class RetryPolicy:
    """At most `attempts` tries; the n-th retry waits backoff × 2^(n-1), capped."""

    attempts: int = 5
    backoff: timedelta = timedelta(seconds=30)
    longest: timedelta = timedelta(hours=1)

    def wait_after(self, attempts: int) -> timedelta:
        wait: timedelta = self.backoff * 2 ** (attempts - 1)
        return min(wait, self.longest)


class Sender:
    def __init__(self, outbox: Outbox, ways: Mapping[str, Way], policy: RetryPolicy) -> None:
        self._outbox = outbox
        self._ways = ways
        self._policy = policy

    async def send_due(self) -> int:
        """Send what is due now; the number of rows this sender claimed."""
        claimed = await to_thread.run_sync(self._outbox.claim_due)
        for notification in claimed:
            await self._send(notification)
        return len(claimed)

    async def _send(self, notification: Notification) -> None:
        way = self._ways.get(notification.way)
        try:
            if way is None:
                raise DeliveryFailed(f"不支持的接收方式：{notification.way}", final=True)
            await way.send(notification)
        except DeliveryFailed as failure:
            await self._failed(notification, str(failure), failure.final)
        except Exception as failure:  # a way's bug must not stop the others
            await self._failed(notification, repr(failure), False)
        else:
            await to_thread.run_sync(self._outbox.sent, notification.id, notification.attempts)

    async def _failed(self, notification: Notification, error: str, final: bool) -> None:
        attempts = notification.attempts
        retry_at = None
        if not final and attempts < self._policy.attempts:
            retry_at = self._outbox.clock() + self._policy.wait_after(attempts)
        log.warning("notification_failed", id=notification.id, way=notification.way, error=error)
        await to_thread.run_sync(self._outbox.failed, notification.id, attempts, error, retry_at)

    async def run_forever(self, every_seconds: float) -> None:
        while True:
            await asyncio.sleep(every_seconds)
            try:
                while await self.send_due():
                    pass
            except Exception as failure:  # the database may be away for a while
                log.warning("notification_sender_failed", error=repr(failure))
