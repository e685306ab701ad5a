"""Scheduled backups (BACKUP_EVERY_HOURS): taken when due by one worker of several, the
oldest removed by count and age, never the newest nor a file that is not an archive."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from channels.app import create_app, migrate_database
from channels.backup import BackupSchedule, Retention, Sources
from channels.backup.backup import archives, prune
from channels.settings import AppSettings
from invoicing_core import CoreSettings, InvoicingCore
from tests.integration.backup.conftest import Deployment

START = datetime(2026, 12, 1, 2, 30, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def migrated(sources: Sources) -> Sources:
    core = InvoicingCore.open(CoreSettings(database_url=sources.database_url))
    migrate_database(core.engine)
    core.close()
    return sources


def archive_names(folder: Path) -> list[str]:
    return [path.name for _, path in archives(folder)]


def test_a_backup_is_taken_each_period_and_only_the_newest_are_kept(
    deployment: Deployment, tmp_path: Path
) -> None:
    folder, clock = tmp_path / "backups", Clock()
    sources = migrated(deployment.sources)
    schedule = BackupSchedule(sources, folder, timedelta(hours=6), Retention(keep=2), clock)

    first = schedule.run_once()
    clock.now += timedelta(hours=5, minutes=59)
    too_early = schedule.run_once()
    clock.now += timedelta(minutes=1)
    second = schedule.run_once()
    clock.now += timedelta(hours=6)
    third = schedule.run_once()

    assert first is not None and second is not None and third is not None
    assert too_early is None
    assert third.removed == [first.path]
    assert archive_names(folder) == [second.path.name, third.path.name]
    assert third.path.name == "kaipiao-backup-20261201T143000Z.tar.gz"
    assert third.manifest["created_at"] == (START + timedelta(hours=12)).isoformat()


@pytest.mark.parametrize("deployment", ["sqlite"], indirect=True)
def test_archives_older_than_the_days_kept_go_but_never_the_newest_or_other_files(
    deployment: Deployment, tmp_path: Path
) -> None:
    folder, clock = tmp_path / "backups", Clock()
    folder.mkdir()
    old = [folder / f"kaipiao-backup-2026{month}01T000000Z.tar.gz" for month in ("09", "10")]
    others = [folder / "kaipiao-backup-by-hand.tar.gz", folder / "notes.txt"]
    for path in old + others:
        path.write_bytes(b"")
    sources = migrated(deployment.sources)
    retention = Retention(keep=10, keep_days=30)
    schedule = BackupSchedule(sources, folder, timedelta(days=45), retention, clock)

    made = schedule.run_once()  # the newest, of October 1st, is 61 days old: due
    assert made is not None
    assert made.removed == old  # more than 30 days old
    clock.now += timedelta(days=44)
    assert schedule.run_once() is None  # not due: nothing written, nothing removed
    clock.now += timedelta(days=1)
    again = schedule.run_once()

    assert again is not None
    assert again.removed == [made.path]
    much_later = clock.now + timedelta(days=400)
    assert prune(folder, keep=0, keep_days=1, now=much_later) == []  # the newest stays
    assert archive_names(folder) == [again.path.name]
    assert all(path.exists() for path in others)


@pytest.mark.parametrize("deployment", ["sqlite"], indirect=True)
def test_workers_looking_at_once_take_one_backup(deployment: Deployment, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    sources = migrated(deployment.sources)
    workers = [
        BackupSchedule(sources, folder, timedelta(hours=24), Retention(keep=14), Clock())
        for _ in range(4)
    ]
    start = threading.Barrier(len(workers))
    made = []

    def look(schedule: BackupSchedule) -> None:
        start.wait()
        made.append(schedule.run_once())

    threads = [threading.Thread(target=look, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len([m for m in made if m is not None]) == 1
    assert len(archive_names(folder)) == 1


@pytest.mark.parametrize("deployment", ["sqlite"], indirect=True)
def test_the_app_backs_up_on_its_schedule_when_the_setting_is_on(
    deployment: Deployment, tmp_path: Path
) -> None:
    folder = tmp_path / "scheduled"
    sources = migrated(deployment.sources)
    core = CoreSettings(database_url=sources.database_url, var_dir=sources.var_dir)
    settings = AppSettings(
        log_json=False, backup_every_hours=24, backup_dir=str(folder), backup_keep=3
    )

    with TestClient(create_app(settings, core)):
        deadline = time.monotonic() + 60
        while not archive_names(folder) and time.monotonic() < deadline:
            time.sleep(0.2)

    assert len(archive_names(folder)) == 1
    assert not (tmp_path / "var" / "backups").exists()  # BACKUP_DIR, not the default
