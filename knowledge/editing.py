"""Entries edited in the console: kept in the database over the shipped YAML, each change
a version.

The YAML files under knowledge/entries are the starting set. An entry saved in
the console overrides the file entry of the same id (or adds a new one); a
deleted one hides it; a draft (an agent's reply turned into an entry) waits for
an editor and is not searched. Every change is a version with its author, so
any earlier state can be restored with one more version. What is searched
changes only when an editor publishes (the index is rebuilt from `overlay`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select

from knowledge.entry import Entry
from knowledge.tables import as_utc
from knowledge.tables import entries as table
from knowledge.tables import entry_versions as versions


class Status(StrEnum):
    """What a stored entry does to the searched base."""

    ACTIVE = "active"
    DRAFT = "draft"
    DELETED = "deleted"


@dataclass(frozen=True)
class Version:
    """One change of an entry: its content after the change (None once deleted)."""

    id: int
    entry_id: str
    entry: Entry | None
    status: Status
    action: str
    author: str
    created_at: datetime

    def to_json(self) -> dict[str, object]:
        """The version as the console lists it."""
        return {
            "id": self.id,
            "entry_id": self.entry_id,
            "entry": self.entry.canonical() if self.entry else None,
            "status": self.status.value,
            "action": self.action,
            "author": self.author,
            "created_at": self.created_at.isoformat(),
        }


@dataclass(frozen=True)
class Stored:
    """An entry as the database holds it now."""

    entry_id: str
    entry: Entry | None
    status: Status
    updated_at: datetime
    updated_by: str


class EntryStore:
    """The console's entries and their versions (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def stored(self) -> list[Stored]:
        """Every entry the console has touched."""
        with self._engine.connect() as connection:
            rows = connection.execute(select(table).order_by(table.c.entry_id)).all()
        return [
            Stored(
                row.entry_id,
                _entry(row.data),
                Status(row.status),
                as_utc(row.updated_at),
                row.updated_by,
            )
            for row in rows
        ]

    def overlay(self, shipped: Sequence[Entry]) -> list[Entry]:
        """The searched base: the shipped entries with the console's changes over them."""
        changes = {s.entry_id: s for s in self.stored()}
        merged = []
        for entry in shipped:
            change = changes.pop(entry.id, None)
            if change is None or change.status is Status.DRAFT:
                merged.append(entry)
            elif change.status is Status.ACTIVE and change.entry is not None:
                merged.append(change.entry)
        merged += [c.entry for c in changes.values() if c.status is Status.ACTIVE and c.entry]
        return merged

    def save(
        self, entry: Entry, author: str, status: Status = Status.ACTIVE, action: str = "save"
    ) -> Version:
        """Store `entry` (replacing any earlier state of its id) as a new version."""
        with self._engine.begin() as connection:
            return self._write(connection, entry.id, entry, status, action, author)

    def save_all(self, changed: Sequence[Entry], author: str, action: str) -> list[Version]:
        """Store several entries in one transaction (an import)."""
        with self._engine.begin() as connection:
            return [
                self._write(connection, e.id, e, Status.ACTIVE, action, author) for e in changed
            ]

    def delete(self, entry_id: str, author: str) -> Version:
        """Hide the entry from the base (its versions stay)."""
        with self._engine.begin() as connection:
            return self._write(connection, entry_id, None, Status.DELETED, "delete", author)

    def versions(self, entry_id: str) -> list[Version]:
        """The entry's versions, newest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(versions)
                .where(versions.c.entry_id == entry_id)
                .order_by(versions.c.id.desc())
            ).all()
        return [_version(row) for row in rows]

    def rollback(self, version_id: int, author: str) -> Version | None:
        """Make the entry as it was in `version_id` again (itself a new version); None when
        there is no such version."""
        with self._engine.begin() as connection:
            row = connection.execute(select(versions).where(versions.c.id == version_id)).first()
            if row is None:
                return None
            old = _version(row)
            return self._write(connection, old.entry_id, old.entry, old.status, "rollback", author)

    def _write(
        self,
        connection: Connection,
        entry_id: str,
        entry: Entry | None,
        status: Status,
        action: str,
        author: str,
    ) -> Version:
        now = datetime.now(UTC)
        data = entry.canonical() if entry else None
        connection.execute(delete(table).where(table.c.entry_id == entry_id))
        connection.execute(
            insert(table).values(
                entry_id=entry_id,
                data=data,
                status=status.value,
                updated_at=now,
                updated_by=author,
            )
        )
        version_id = connection.execute(
            insert(versions).values(
                entry_id=entry_id,
                data=data,
                status=status.value,
                action=action,
                author=author,
                created_at=now,
            )
        ).inserted_primary_key[0]
        return Version(int(version_id), entry_id, entry, status, action, author, now)


def _entry(data: Any) -> Entry | None:
    return Entry.from_canonical(data, "console") if isinstance(data, dict) else None


def _version(row: Any) -> Version:
    return Version(
        row.id,
        row.entry_id,
        _entry(row.data),
        Status(row.status),
        row.action,
        row.author,
        as_utc(row.created_at),
    )
