"""Scheduled backups (BACKUP_EVERY_HOURS): taken by one worker, the oldest removed.

Every app worker looks as it starts and then once a minute. The one that gets the
folder's lock (an flock on `BACKUP_DIR/.schedule.lock`, let go when its look ends or its
process dies; the others skip that look) writes a backup when the newest archive there is
BACKUP_EVERY_HOURS old or there is none, then removes the oldest beyond the retention
(backup.py: `prune`). The folder is the schedule: a backup taken by hand counts, and a
restarted worker does not back up again early. Workers on several hosts share one
BACKUP_DIR, or only one host's workers have the setting.
"""

from __future__ import annotations

import asyncio
import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from anyio import to_thread

from channels.backup.backup import Backup, Sources, archives, back_up, prune

log = structlog.get_logger(__name__)
LOCK = ".schedule.lock"
LOOK_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Retention:
    """How many archives stay (at least one), and for how long (days; 0: no age limit)."""

    keep: int
    keep_days: float = 0


class BackupSchedule:
    """One process's part in the schedule: `run_once` is one look."""

    def __init__(
        self,
        sources: Sources,
        folder: Path,
        every: timedelta,
        retention: Retention,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._sources = sources
        self._folder = folder
        self._every = every
        self._retention = retention
        self._clock = clock

    def due(self, now: datetime) -> bool:
        """Whether the newest archive is `every` old, or there is none."""
        taken = archives(self._folder)
        return not taken or now - taken[-1][0] >= self._every

    def run_once(self) -> Backup | None:
        """Back up and prune when due and no other worker is at it; the backup, else None."""
        now = self._clock()
        with _lock(self._folder) as held:
            if not held or not self.due(now):
                return None
            made = back_up(self._sources, self._folder, created=now)
            removed = prune(self._folder, self._retention.keep, self._retention.keep_days, now)
        log.info("backup_scheduled", path=str(made.path), removed=[str(p) for p in removed])
        return replace(made, removed=removed)

    async def run_forever(self, every_seconds: float = LOOK_EVERY_SECONDS) -> None:
        """Look now and every `every_seconds` (until cancelled); a failed backup is logged
        and tried again at the next look."""
        while True:
            try:
                await to_thread.run_sync(self.run_once)
            except Exception as failure:  # the next look tries again
                log.error("backup_schedule_failed", error=str(failure))
            await asyncio.sleep(every_seconds)


@contextmanager
def _lock(folder: Path) -> Iterator[bool]:
    """The folder's lock if no one (no other worker, no other look) holds it: True, else
    False at once."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK).open("a") as file:
        try:
            fcntl.flock(file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(file, fcntl.LOCK_UN)
