"""The notice board: scheduled notices, who has been shown one, and the messages kept
during a maintenance window until a worker answers them (synchronous; call off the loop)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from channels.notices.notice import Notice, NoticeDraft
from channels.notices.tables import notice_kept_messages, notice_shown, notices

# A worker answers a conversation's kept messages within minutes (each turn within the
# bot's timeout); a claim older than this belonged to a worker that died.
CLAIM_STALE_AFTER = timedelta(minutes=5)


@dataclass(frozen=True)
class KeptMessage:
    """A user message kept during a maintenance window."""

    message_id: int
    conversation_id: str


class NoticeBoard:
    """Notices and kept messages in the app's database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, draft: NoticeDraft, by: str) -> Notice:
        """Schedule a notice."""
        now = datetime.now(UTC)
        with self._engine.begin() as connection:
            notice_id = connection.execute(
                insert(notices).values(
                    text=draft.text,
                    starts_at=draft.starts_at,
                    ends_at=draft.ends_at,
                    maintenance=draft.maintenance,
                    created_by=by,
                    created_at=now,
                )
            ).inserted_primary_key[0]
        return Notice(
            notice_id, draft.text, draft.starts_at, draft.ends_at, draft.maintenance, by, now
        )

    def withdraw(self, notice_id: int, by: str) -> bool:
        """Take a notice down (a current maintenance window ends now); False if none."""
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(notices)
                .where(notices.c.id == notice_id)
                .where(notices.c.withdrawn_at.is_(None))
                .values(withdrawn_at=datetime.now(UTC), withdrawn_by=by)
            )
        return changed.rowcount == 1

    def upcoming(self, now: datetime) -> list[Notice]:
        """Notices not withdrawn that have not ended, soonest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(notices)
                .where(notices.c.withdrawn_at.is_(None))
                .where(notices.c.ends_at > now)
                .order_by(notices.c.starts_at, notices.c.id)
            ).all()
        return [_notice_of(row) for row in rows]

    def shown(self, now: datetime) -> list[Notice]:
        """Notices shown to users now: current, or starting within a day."""
        return [notice for notice in self.upcoming(now) if notice.is_shown(now)]

    def maintenance(self, now: datetime) -> Notice | None:
        """The current maintenance window (the one ending last, if several overlap)."""
        current = [n for n in self.upcoming(now) if n.maintenance and n.is_current(now)]
        return max(current, key=lambda notice: notice.ends_at, default=None)

    def first_showing(self, notice_id: int, recipient: str) -> bool:
        """Record that `recipient` was shown the notice; False when they had been."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(notice_shown).values(
                        notice_id=notice_id, recipient=recipient, shown_at=datetime.now(UTC)
                    )
                )
        except IntegrityError:
            return False
        return True

    def keep(self, message_id: int, conversation_id: str, notice_id: int) -> None:
        """Keep a user message for the end of the window (a resend is kept once)."""
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(notice_kept_messages).values(
                        message_id=message_id,
                        conversation_id=conversation_id,
                        notice_id=notice_id,
                        kept_at=datetime.now(UTC),
                    )
                )
        except IntegrityError:
            return

    def waiting_conversations(self, now: datetime) -> list[str]:
        """Conversations with kept messages no live worker is answering, oldest first."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(notice_kept_messages.c.conversation_id, notice_kept_messages.c.message_id)
                .where(notice_kept_messages.c.answered_at.is_(None))
                .where(_claimable(now))
                .order_by(notice_kept_messages.c.message_id)
            ).all()
        return list(dict.fromkeys(row.conversation_id for row in rows))

    def claim(self, conversation_id: str, worker: str, now: datetime) -> list[KeptMessage]:
        """Take the conversation's kept messages for this worker, in order; [] when another
        worker has them. One UPDATE decides, so two workers never both get them."""
        with self._engine.begin() as connection:
            claimed = connection.execute(
                update(notice_kept_messages)
                .where(notice_kept_messages.c.conversation_id == conversation_id)
                .where(notice_kept_messages.c.answered_at.is_(None))
                .where(_claimable(now))
                .values(claimed_by=worker, claimed_at=now)
            )
            if claimed.rowcount == 0:
                return []
            return _claimed_by(connection, conversation_id, worker)

    def answered(self, message_id: int) -> None:
        """The kept message's turn has run."""
        with self._engine.begin() as connection:
            connection.execute(
                update(notice_kept_messages)
                .where(notice_kept_messages.c.message_id == message_id)
                .values(answered_at=datetime.now(UTC))
            )

    def release(self, conversation_id: str, worker: str) -> None:
        """Give back what this worker claimed and did not answer (the next round tries)."""
        with self._engine.begin() as connection:
            connection.execute(
                update(notice_kept_messages)
                .where(notice_kept_messages.c.conversation_id == conversation_id)
                .where(notice_kept_messages.c.claimed_by == worker)
                .where(notice_kept_messages.c.answered_at.is_(None))
                .values(claimed_by=None, claimed_at=None)
            )

    def kept(self, conversation_id: str) -> list[int]:
        """The ids of the conversation's kept messages not answered yet (for tests, reports)."""
        with self._engine.connect() as connection:
            return list(
                connection.execute(
                    select(notice_kept_messages.c.message_id)
                    .where(notice_kept_messages.c.conversation_id == conversation_id)
                    .where(notice_kept_messages.c.answered_at.is_(None))
                    .order_by(notice_kept_messages.c.message_id)
                ).scalars()
            )


def _claimable(now: datetime) -> Any:
    stale = now - CLAIM_STALE_AFTER
    return (notice_kept_messages.c.claimed_at.is_(None)) | (
        notice_kept_messages.c.claimed_at < stale
    )


def _claimed_by(connection: Connection, conversation_id: str, worker: str) -> list[KeptMessage]:
    rows = connection.execute(
        select(notice_kept_messages.c.message_id)
        .where(notice_kept_messages.c.conversation_id == conversation_id)
        .where(notice_kept_messages.c.claimed_by == worker)
        .where(notice_kept_messages.c.answered_at.is_(None))
        .order_by(notice_kept_messages.c.message_id)
    ).all()
    return [KeptMessage(row.message_id, conversation_id) for row in rows]


def _notice_of(row: Row[Any]) -> Notice:
    return Notice(
        row.id,
        row.text,
        row.starts_at,
        row.ends_at,
        row.maintenance,
        row.created_by,
        row.created_at,
    )
