"""The inbound log: every pushed message stored first, keyed so WeChat's retries are seen.

De-duplication is persisted in the database (a unique key on account and MsgId, or
sender and time for events), so it holds across the app's workers and restarts.
The row also carries the turn's fate: a passive reply, or a late delivery. A row
left pending or late for minutes belongs to a worker that died mid-turn; another
worker takes it over (stale, take_over) and answers it through the API.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from channels.wechat.tables import wechat_inbound


class TurnStatus(StrEnum):
    """Where the answer to an inbound message stands."""

    PENDING = "pending"
    ANSWERED = "answered"  # ready in time: the passive reply carries it
    LATE = "late"  # the passive reply said "success"; delivery goes through the API
    RECOVERING = "recovering"  # its worker died mid-turn; another one answers it
    DELIVERED = "delivered"  # a late or recovered answer went to the API (see wechat_outbound)


# A live worker moves its row within the reply budget and finishes the turn within the
# bot's timeout; a row older than this still pending or late lost its worker.
STALE_AFTER = timedelta(minutes=2)


@dataclass(frozen=True)
class Claim:
    """The log row of an inbound message and whether this request saw it first."""

    row_id: int
    first: bool


@dataclass(frozen=True)
class StaleTurn:
    """A logged message whose worker stopped before answering it."""

    row_id: int
    status: TurnStatus
    openid: str
    msg_key: str
    msg_type: str
    content: str


@dataclass(frozen=True)
class TurnState:
    """A logged message's status and, once answered, its passive reply."""

    status: TurnStatus
    reply: str | None


class InboundLog:
    """Stores inbound messages and moves their turns on atomically (call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def claim(self, account: str, msg_key: str, openid: str, msg_type: str, content: str) -> Claim:
        """Store a message; a retry of a stored one returns its row with first=False."""
        try:
            with self._engine.begin() as connection:
                row_id = connection.execute(
                    insert(wechat_inbound).values(
                        account=account,
                        msg_key=msg_key,
                        openid=openid,
                        msg_type=msg_type,
                        content=content,
                        received_at=datetime.now(UTC),
                        status=TurnStatus.PENDING.value,
                    )
                ).inserted_primary_key[0]
            return Claim(row_id, first=True)
        except IntegrityError:
            with self._engine.connect() as connection:
                existing = connection.execute(
                    select(wechat_inbound.c.id)
                    .where(wechat_inbound.c.account == account)
                    .where(wechat_inbound.c.msg_key == msg_key)
                ).scalar_one()
            return Claim(existing, first=False)

    def answer(self, row_id: int, reply: str) -> bool:
        """Pending → answered with `reply`; False when the turn was already declared late."""
        return self._move(row_id, TurnStatus.ANSWERED, reply)

    def declare_late(self, row_id: int) -> bool:
        """Pending → late; False when the answer arrived first."""
        return self._move(row_id, TurnStatus.LATE, None)

    def mark_delivered(self, row_id: int) -> None:
        """Late or recovering → delivered: the answer went to the customer-service API."""
        with self._engine.begin() as connection:
            connection.execute(
                update(wechat_inbound)
                .where(wechat_inbound.c.id == row_id)
                .where(
                    wechat_inbound.c.status.in_(
                        [TurnStatus.LATE.value, TurnStatus.RECOVERING.value]
                    )
                )
                .values(status=TurnStatus.DELIVERED.value)
            )

    def stale(self, account: str, received_since: datetime) -> list[StaleTurn]:
        """Rows of `account` received since then and left pending or late past STALE_AFTER."""
        with self._engine.connect() as connection:
            rows = connection.execute(
                select(wechat_inbound)
                .where(wechat_inbound.c.account == account)
                .where(
                    wechat_inbound.c.status.in_([TurnStatus.PENDING.value, TurnStatus.LATE.value])
                )
                .where(wechat_inbound.c.received_at >= received_since)
                .where(wechat_inbound.c.received_at < datetime.now(UTC) - STALE_AFTER)
                .order_by(wechat_inbound.c.id)
            ).all()
        return [
            StaleTurn(
                row.id, TurnStatus(row.status), row.openid, row.msg_key, row.msg_type, row.content
            )
            for row in rows
        ]

    def take_over(self, turn: StaleTurn) -> bool:
        """Stale → recovering; False when another worker took it (or its own finished) first."""
        return self._move(turn.row_id, TurnStatus.RECOVERING, None, turn.status)

    def taken_over(self, account: str, received_since: datetime) -> list[StaleTurn]:
        """The stale turns (as `stale`) now this worker's: each one moved to recovering
        here, not by another worker first."""
        return [turn for turn in self.stale(account, received_since) if self.take_over(turn)]

    def state(self, row_id: int) -> TurnState:
        """The turn's status and passive reply."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(wechat_inbound.c.status, wechat_inbound.c.reply).where(
                    wechat_inbound.c.id == row_id
                )
            ).one()
        return TurnState(TurnStatus(row.status), row.reply)

    def _move(
        self,
        row_id: int,
        status: TurnStatus,
        reply: str | None,
        from_status: TurnStatus = TurnStatus.PENDING,
    ) -> bool:
        with self._engine.begin() as connection:
            moved = connection.execute(
                update(wechat_inbound)
                .where(wechat_inbound.c.id == row_id)
                .where(wechat_inbound.c.status == from_status.value)
                .values(status=status.value, reply=reply)
            )
        return moved.rowcount == 1
