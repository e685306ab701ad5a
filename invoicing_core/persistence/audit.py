"""The audit log: every state change, chained by hash so that tampering shows."""

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from invoicing_core.domain.alerts import AuditFact
from invoicing_core.persistence.tables import audit_head, audit_log

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to which target, when, and the target before and after."""

    actor: str
    action: str
    target: str
    at: datetime
    company_id: int | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None

    def row(self) -> dict[str, Any]:
        """The entry's columns of audit_log, without the chain's hashes."""
        return {
            "at": self.at,
            "actor": self.actor,
            "company_id": self.company_id,
            "action": self.action,
            "target": self.target,
            "before": self.before,
            "after": self.after,
        }

    def digest(self, prev_hash: str) -> str:
        """The entry's hash, covering its content and the previous entry's hash."""
        content = {
            "actor": self.actor,
            "action": self.action,
            "target": self.target,
            "at": self.at.astimezone(UTC).isoformat(),
            "company_id": self.company_id,
            "before": self.before,
            "after": self.after,
            "prev_hash": prev_hash,
        }
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


def record(connection: Connection, entry: AuditEntry) -> None:
    """Append `entry` to the chain inside the caller's transaction."""
    record_many(connection, [entry])


def record_many(connection: Connection, entries: Sequence[AuditEntry]) -> None:
    """Append entries in order; the chain's head is locked and moved once."""
    head = connection.execute(
        select(audit_head).where(audit_head.c.id == 1).with_for_update()
    ).one()
    rows, last_hash = [], head.last_hash
    for entry in entries:
        digest = entry.digest(last_hash)
        rows.append({**entry.row(), "prev_hash": last_hash, "hash": digest})
        last_hash = digest
    ids = (
        connection.execute(
            insert(audit_log).returning(audit_log.c.id, sort_by_parameter_order=True), rows
        )
        .scalars()
        .all()
    )
    connection.execute(
        update(audit_head).where(audit_head.c.id == 1).values(last_id=ids[-1], last_hash=last_hash)
    )


def facts_since(
    connection: Connection, company_id: int, since: datetime, actions: Collection[str]
) -> list[AuditFact]:
    """The company's entries of these actions since `since`, in the order they were written."""
    rows = connection.execute(
        select(audit_log.c.action, audit_log.c.actor, audit_log.c.target, audit_log.c.at)
        .where(audit_log.c.company_id == company_id, audit_log.c.at >= since)
        .where(audit_log.c.action.in_(actions))
        .order_by(audit_log.c.id)
    )
    return [AuditFact(row.action, row.actor, row.target, row.at) for row in rows]


@dataclass(frozen=True)
class ChainCheck:
    """The result of verifying the chain: how many entries, and the first broken one."""

    entries: int
    first_broken_id: int | None

    @property
    def intact(self) -> bool:
        """Whether every entry matches its hash and links to the one before."""
        return self.first_broken_id is None


def verify_chain(engine: Engine) -> ChainCheck:
    """Recompute every hash in order; report the first entry that does not match."""
    prev_hash, checked, last_id = GENESIS, 0, 0
    with engine.connect() as connection:
        for row in connection.execute(select(audit_log).order_by(audit_log.c.id)):
            entry = AuditEntry(
                row.actor, row.action, row.target, row.at, row.company_id, row.before, row.after
            )
            if row.prev_hash != prev_hash or entry.digest(prev_hash) != row.hash:
                return ChainCheck(checked, row.id)
            prev_hash, checked, last_id = row.hash, checked + 1, row.id
        head = connection.execute(select(audit_head).where(audit_head.c.id == 1)).one()
    # A deleted tail shows as a head that points past the last entry.
    if (head.last_id, head.last_hash) != (last_id, prev_hash):
        return ChainCheck(checked, head.last_id)
    return ChainCheck(checked, None)
