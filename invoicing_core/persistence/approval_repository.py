"""Approval rules and approval requests (domain/approval.py) in their tables."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, insert, or_, select, update

from invoicing_core.domain.approval import ApprovalAction, ApprovalLevel, ApprovalRules, parse_rules
from invoicing_core.domain.approval_request import ApprovalRequest, ApprovalState, Decision
from invoicing_core.persistence.tables import approval_requests, approval_rules

_PENDING = ApprovalState.PENDING.value


def rules_of(connection: Connection, company_id: int) -> ApprovalRules | None:
    """The company's rules, or None when its admin never set any."""
    stored = connection.execute(
        select(approval_rules.c.rules).where(approval_rules.c.company_id == company_id)
    ).scalar_one_or_none()
    return None if stored is None else parse_rules(stored)


def save_rules(
    connection: Connection, company_id: int, rules: ApprovalRules, by: str, at: datetime
) -> None:
    """Store the company's rules in place of the ones before."""
    values = {"rules": rules.to_json(), "updated_at": at, "updated_by": by}
    changed = connection.execute(
        update(approval_rules).where(approval_rules.c.company_id == company_id).values(**values)
    ).rowcount
    if not changed:
        connection.execute(insert(approval_rules).values(company_id=company_id, **values))


def add(
    connection: Connection, request: ApprovalRequest, hold_month: str, key: str | None
) -> ApprovalRequest:
    """Store a new request; its id is given by the database."""
    new_id = connection.execute(
        insert(approval_requests).values(
            company_id=request.company_id,
            action=request.action.value,
            state=request.state.value,
            requested_by=request.requested_by,
            requested_at=request.requested_at,
            deadline=request.deadline,
            levels=[{"approvers": list(level.approvers)} for level in request.levels],
            reasons=list(request.reasons),
            content=request.content,
            quota_hold=request.quota_hold,
            hold_month=hold_month,
            decisions=[],
            idempotency_key=key,
        )
    ).inserted_primary_key[0]
    return get(connection, new_id) or request


def save(connection: Connection, request: ApprovalRequest) -> None:
    """Store a request's state, decisions, end and result."""
    connection.execute(
        update(approval_requests)
        .where(approval_requests.c.id == request.id)
        .values(
            state=request.state.value,
            decisions=[_decision_json(decision) for decision in request.decisions],
            ended_at=request.ended_at,
            result=request.result,
        )
    )


def get(connection: Connection, request_id: int, *, lock: bool = False) -> ApprovalRequest | None:
    """The request with this id, or None; `lock` holds its row until the transaction ends."""
    query = select(approval_requests).where(approval_requests.c.id == request_id)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _request(row)


def by_key(connection: Connection, company_id: int, key: str) -> ApprovalRequest | None:
    """The company's request made under this Idempotency-Key, or None."""
    row = connection.execute(
        select(approval_requests).where(
            approval_requests.c.company_id == company_id,
            approval_requests.c.idempotency_key == key,
        )
    ).first()
    return None if row is None else _request(row)


def of_company(
    connection: Connection,
    company_id: int,
    state: ApprovalState | None,
    now: datetime,
    requested_by: str | None = None,
) -> list[ApprovalRequest]:
    """The company's requests (in this state now, by this requester), newest first."""
    query = select(approval_requests).where(approval_requests.c.company_id == company_id)
    if state is not None:
        query = query.where(_in_state(state, now))
    if requested_by is not None:
        query = query.where(approval_requests.c.requested_by == requested_by)
    rows = connection.execute(query.order_by(approval_requests.c.id.desc()))
    return [_request(row) for row in rows]


def pending(connection: Connection, now: datetime) -> list[ApprovalRequest]:
    """Every company's requests waiting now, oldest first."""
    rows = connection.execute(
        select(approval_requests)
        .where(_in_state(ApprovalState.PENDING, now))
        .order_by(approval_requests.c.id)
    )
    return [_request(row) for row in rows]


def overdue(connection: Connection, now: datetime) -> list[int]:
    """The ids of requests still stored as pending whose deadline has passed."""
    rows = connection.execute(
        select(approval_requests.c.id).where(
            approval_requests.c.state == _PENDING, approval_requests.c.deadline <= now
        )
    )
    return [int(request_id) for request_id in rows.scalars()]


def held(connection: Connection, company_id: int, month: str, now: datetime) -> Decimal:
    """The quota of `month` that the company's requests waiting at `now` hold."""
    total = connection.execute(
        select(func.coalesce(func.sum(approval_requests.c.quota_hold), 0)).where(
            approval_requests.c.company_id == company_id,
            approval_requests.c.hold_month == month,
            _in_state(ApprovalState.PENDING, now),
        )
    ).scalar_one()
    return Decimal(total)


def _in_state(state: ApprovalState, now: datetime) -> ColumnElement[bool]:
    stored_pending = approval_requests.c.state == _PENDING
    if state is ApprovalState.PENDING:
        return and_(stored_pending, approval_requests.c.deadline > now)
    if state is ApprovalState.LAPSED:
        return or_(
            approval_requests.c.state == state.value,
            and_(stored_pending, approval_requests.c.deadline <= now),
        )
    stored: ColumnElement[bool] = approval_requests.c.state == state.value
    return stored


def _decision_json(decision: Decision) -> dict[str, Any]:
    return {
        "level": decision.level,
        "by": decision.by,
        "at": decision.at.isoformat(),
        "approved": decision.approved,
        "reason": decision.reason,
    }


def _decisions(stored: Sequence[dict[str, Any]]) -> tuple[Decision, ...]:
    return tuple(
        Decision(
            level=item["level"],
            by=item["by"],
            at=datetime.fromisoformat(item["at"]),
            approved=item["approved"],
            reason=item["reason"],
        )
        for item in stored
    )


def _request(row: Row[Any]) -> ApprovalRequest:
    return ApprovalRequest(
        id=row.id,
        company_id=row.company_id,
        action=ApprovalAction(row.action),
        requested_by=row.requested_by,
        requested_at=row.requested_at,
        deadline=row.deadline,
        levels=tuple(ApprovalLevel(tuple(level["approvers"])) for level in row.levels),
        reasons=tuple(row.reasons),
        content=row.content,
        quota_hold=Decimal(row.quota_hold),
        state=ApprovalState(row.state),
        decisions=_decisions(row.decisions),
        ended_at=row.ended_at,
        result=row.result,
    )
