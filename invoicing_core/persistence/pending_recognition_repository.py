"""Recognitions awaiting recording: the upload and its result, kept for a short time."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, insert, select

from invoicing_core.persistence.received_invoice_repository import OriginalFile
from invoicing_core.persistence.tables import pending_recognitions as pending


@dataclass(frozen=True)
class PendingRecognition:
    """A recognition of one company's user, recordable until it expires."""

    id: str
    company_id: int
    username: str
    created_at: datetime
    expires_at: datetime
    original: OriginalFile
    result: dict[str, Any]


def add(connection: Connection, recognition: PendingRecognition) -> None:
    """Keep a new recognition."""
    connection.execute(
        insert(pending),
        {
            "id": recognition.id,
            "company_id": recognition.company_id,
            "username": recognition.username,
            "created_at": recognition.created_at,
            "expires_at": recognition.expires_at,
            "file_name": recognition.original.name,
            "media_type": recognition.original.media_type,
            "file_content": recognition.original.content,
            "result": recognition.result,
        },
    )


def get(
    connection: Connection, recognition_id: str, company_id: int, now: datetime
) -> PendingRecognition | None:
    """The company's recognition with this id, unless it expired."""
    row = connection.execute(
        select(pending).where(
            pending.c.id == recognition_id,
            pending.c.company_id == company_id,
            pending.c.expires_at > now,
        )
    ).first()
    if row is None:
        return None
    return PendingRecognition(
        id=row.id,
        company_id=row.company_id,
        username=row.username,
        created_at=row.created_at,
        expires_at=row.expires_at,
        original=OriginalFile(row.file_name, row.media_type, row.file_content),
        result=row.result,
    )


def remove(connection: Connection, recognition_id: str) -> None:
    """Forget a recognition (it was recorded)."""
    connection.execute(delete(pending).where(pending.c.id == recognition_id))


def remove_expired(connection: Connection, now: datetime) -> None:
    """Forget every recognition that expired."""
    connection.execute(delete(pending).where(pending.c.expires_at <= now))


def keep_newest(connection: Connection, username: str, count: int) -> None:
    """Forget the user's recognitions beyond the newest `count`."""
    newest = (
        select(pending.c.id)
        .where(pending.c.username == username)
        .order_by(pending.c.created_at.desc(), pending.c.id)
        .limit(count)
    )
    connection.execute(
        delete(pending).where(pending.c.username == username, pending.c.id.not_in(newest))
    )
