"""`python -m channels backup`: one timestamped archive of everything the product stores."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from channels import service_secrets
from channels.backup.archive import write_archive
from channels.backup.refusal import BackupRefused
from channels.backup.stores import store_for

PREFIX = "kaipiao-backup-"
SUFFIX = ".tar.gz"
TIME_FORMAT = "%Y%m%dT%H%M%SZ"
# An archive's whole name: retention removes nothing else, whatever else the folder holds.
ARCHIVE_NAME = re.compile(re.escape(PREFIX) + r"(\d{8}T\d{6}Z)" + re.escape(SUFFIX))
KNOWLEDGE_MANIFEST = "manifest.json"  # the index's, knowledge/manifest.py:MANIFEST


@dataclass(frozen=True)
class Sources:
    """Where the product keeps what a backup takes and a restore puts back."""

    database_url: str  # invoices, audit log, conversations, console-edited knowledge entries
    tracker_url: str  # Rasa's tracker store
    var_dir: Path  # the service secrets' files
    knowledge_index_dir: Path  # the index's manifest (the index is rebuilt from the entries)

    def databases(self) -> dict[str, str]:
        """The databases by their name in the archive."""
        return {"app": self.database_url, "tracker": self.tracker_url}


def tracker_url(var_dir: Path) -> str:
    """Rasa's tracker store as scripts/rasa-env.sh gives it to Rasa: RASA_TRACKER_URL, else
    SQLite under VAR_DIR (the app itself never opens it, so no settings class holds it)."""
    return (
        os.environ.get("RASA_TRACKER_URL") or f"sqlite:///{var_dir.resolve() / 'rasa-tracker.db'}"
    )


@dataclass(frozen=True)
class Backup:
    """A written archive and its manifest."""

    path: Path
    manifest: dict[str, Any]
    removed: list[Path]

    def lines(self) -> list[str]:
        """What the operator is told."""
        said = [f"backup written: {self.path} ({self.path.stat().st_size} bytes)"]
        said += database_lines(self.manifest)
        said.append(f"secrets: {', '.join(self.manifest['secrets']) or 'none on disk'}")
        said.append(f"knowledge index manifest: {'kept' if self.manifest['knowledge'] else 'none'}")
        said += [f"removed old backup: {path}" for path in self.removed]
        return said


def database_lines(manifest: dict[str, Any]) -> list[str]:
    """One line per database of the manifest: its kind, tables and rows."""
    said = []
    for name, database in manifest["databases"].items():
        if database["member"] is None:
            said.append(f"{name} database ({database['kind']}): none yet, nothing to keep")
            continue
        tables = database["tables"]
        said.append(
            f"{name} database ({database['kind']}): {len(tables)} tables, "
            f"{sum(tables.values())} rows"
        )
    return said


def back_up(
    sources: Sources, to: Path, keep: int | None = None, created: datetime | None = None
) -> Backup:
    """Write `kaipiao-backup-<UTC time>.tar.gz` into `to` (the time `created`, else now);
    keep the newest `keep` there."""
    created = created or datetime.now(UTC)
    destination = to / f"{PREFIX}{created.astimezone(UTC):{TIME_FORMAT}}{SUFFIX}"
    if destination.exists():
        raise BackupRefused("backup_exists", f"同一秒的备份已存在：{destination}，请稍后再试。")
    try:
        to.mkdir(parents=True, exist_ok=True)
        scratch = tempfile.TemporaryDirectory(dir=to, prefix=".backup-")
    except OSError as error:
        raise BackupRefused(
            "backup_folder_unusable", f"备份目录无法写入：{to}（{error}）"
        ) from error
    with scratch as folder:
        staging = Path(folder)
        manifest = {
            "created_at": created.isoformat(),
            "databases": _dump_databases(sources, staging),
            "secrets": _copy_secrets(sources.var_dir, staging / "secrets"),
            "knowledge": _copy_if_present(
                sources.knowledge_index_dir / KNOWLEDGE_MANIFEST, staging / "knowledge"
            ),
        }
        manifest = write_archive(staging, manifest, destination)
    return Backup(destination, manifest, [] if keep is None else prune(to, keep))


def _dump_databases(sources: Sources, staging: Path) -> dict[str, Any]:
    recorded: dict[str, Any] = {}
    for name, url in sources.databases().items():
        store = store_for(url)
        if not store.exists():
            if name == "app":
                raise BackupRefused("database_missing", f"找不到要备份的数据库：{url}")
            # Rasa makes its tracker store at its first start.
            recorded[name] = {"kind": store.kind, "member": None, "tables": {}}
            continue
        member = f"databases/{name}{store.suffix}"
        recorded[name] = {
            "kind": store.kind,
            "member": member,
            "tables": store.dump(staging / member),
        }
    return recorded


def _copy_secrets(var_dir: Path, into: Path) -> list[str]:
    return [name for name in service_secrets.FILES if _copy_if_present(var_dir / name, into)]


def _copy_if_present(path: Path, into: Path) -> bool:
    if not path.is_file():
        return False
    into.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, into / path.name)
    return True


def archives(folder: Path) -> list[tuple[datetime, Path]]:
    """The backup archives in `folder` by the UTC time in their names, oldest first."""
    found = []
    for path in folder.iterdir() if folder.is_dir() else ():
        named = ARCHIVE_NAME.fullmatch(path.name)
        if named and path.is_file():
            taken = datetime.strptime(named.group(1), TIME_FORMAT).replace(tzinfo=UTC)
            found.append((taken, path))
    return sorted(found)


def prune(folder: Path, keep: int, keep_days: float = 0, now: datetime | None = None) -> list[Path]:
    """Remove the archives in `folder` beyond the newest `keep`, and with `keep_days` those
    taken longer ago than that; never the newest, never a file not named as an archive."""
    older = archives(folder)[:-1]
    removed = older[: max(len(older) + 1 - keep, 0)]
    if keep_days:
        since = (now or datetime.now(UTC)) - timedelta(days=keep_days)
        removed += [(taken, path) for taken, path in older[len(removed) :] if taken < since]
    for _, path in removed:
        path.unlink()
    return [path for _, path in removed]
