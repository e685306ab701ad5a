"""Backup and restore of everything the product stores (README, "Backup and restore").

made = back_up(sources, Path("var/backups"), keep=14)   # one .tar.gz and its manifest
restore(made.path, sources)                              # onto empty databases only
restore(made.path, sources, force=True)                  # over data, the stack stopped
upgrade(sources, database, Path("var/backups"))          # back up, rehearse, migrate, check
BackupSchedule(sources, folder, timedelta(hours=24), Retention(keep=14)).run_forever()
"""

from channels.backup.backup import Backup, Sources, back_up, tracker_url
from channels.backup.refusal import BackupRefused
from channels.backup.restore import Restored, restore
from channels.backup.schedule import BackupSchedule, Retention
from channels.backup.upgrade import AppDatabase, Upgraded, upgrade

__all__ = [
    "AppDatabase",
    "Backup",
    "BackupRefused",
    "BackupSchedule",
    "Restored",
    "Retention",
    "Sources",
    "Upgraded",
    "back_up",
    "restore",
    "tracker_url",
    "upgrade",
]
