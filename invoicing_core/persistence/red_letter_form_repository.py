"""Red-letter confirmation forms in the database."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, func, insert, or_, select, update

from invoicing_core.domain.party import PartyRole
from invoicing_core.domain.red_letter import (
    AWAITING_STATES,
    CONFIRMATION_WINDOW,
    ConfirmationForm,
    ConfirmationState,
    RedLetterReason,
    RedLinePart,
)
from invoicing_core.persistence.tables import red_letter_forms


@dataclass(frozen=True)
class StoredForm:
    """A form with its id, the two companies it concerns, and how it was settled."""

    id: int
    form: ConfirmationForm
    seller_company_id: int
    buyer_tax_id: str | None
    entered_by: str
    answered_at: datetime | None = None
    answered_by: str | None = None
    red_number: str | None = None


def add(connection: Connection, stored: StoredForm) -> StoredForm:
    """Store a new form; returns it with its id."""
    form = stored.form
    form_id = connection.execute(
        insert(red_letter_forms).returning(red_letter_forms.c.id),
        {
            "blue_number": form.blue_number,
            "seller_company_id": stored.seller_company_id,
            "buyer_tax_id": stored.buyer_tax_id,
            "initiator": form.initiator.value,
            "reason": form.reason.value,
            "parts": [_part_json(part) for part in form.parts],
            "state": form.state.value,
            "entered_at": form.entered_at,
            "entered_by": stored.entered_by,
            "red_number": stored.red_number,
        },
    ).scalar_one()
    return StoredForm(**{**stored.__dict__, "id": form_id})


def save_answer(connection: Connection, stored: StoredForm) -> None:
    """Store a form's new state, who moved it, and the red-letter invoice issued on it."""
    connection.execute(
        update(red_letter_forms)
        .where(red_letter_forms.c.id == stored.id)
        .values(
            state=stored.form.state.value,
            answered_at=stored.answered_at,
            answered_by=stored.answered_by,
            red_number=stored.red_number,
        )
    )


def get(connection: Connection, form_id: int, *, lock: bool = False) -> StoredForm | None:
    """The form with this id, or None."""
    query = select(red_letter_forms).where(red_letter_forms.c.id == form_id)
    row = connection.execute(query.with_for_update() if lock else query).first()
    return None if row is None else _stored(row)


def open_for(connection: Connection, blue_number: str, now: datetime) -> StoredForm | None:
    """A form of the blue invoice still awaiting an answer at `now`, if any."""
    row = connection.execute(
        _awaiting(select(red_letter_forms), now).where(
            red_letter_forms.c.blue_number == blue_number
        )
    ).first()
    return None if row is None else _stored(row)


def of_company(
    connection: Connection,
    company_id: int,
    tax_id: str,
    state: ConfirmationState | None,
    now: datetime,
    page: int,
    size: int,
) -> tuple[list[StoredForm], int]:
    """A page of the forms where the company is seller or buyer, newest first, and the count."""
    column = red_letter_forms.c
    query = select(red_letter_forms).where(
        or_(column.seller_company_id == company_id, column.buyer_tax_id == tax_id)
    )
    query = _in_state(query, state, now) if state is not None else query
    total = connection.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = connection.execute(
        query.order_by(column.entered_at.desc(), column.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return [_stored(row) for row in rows], total


def _awaiting(query: Select[Any], now: datetime) -> Select[Any]:
    column = red_letter_forms.c
    return query.where(
        column.state.in_([state.value for state in AWAITING_STATES]),
        column.entered_at > now - CONFIRMATION_WINDOW,
    )


def _in_state(query: Select[Any], state: ConfirmationState, now: datetime) -> Select[Any]:
    # A form that lapsed is stored as still awaiting: its state depends on the time.
    column = red_letter_forms.c
    awaiting = [s.value for s in AWAITING_STATES]
    if state is ConfirmationState.LAPSED:
        return query.where(
            or_(
                column.state == state.value,
                and_(column.state.in_(awaiting), column.entered_at <= now - CONFIRMATION_WINDOW),
            )
        )
    if state in AWAITING_STATES:
        return query.where(
            column.state == state.value, column.entered_at > now - CONFIRMATION_WINDOW
        )
    return query.where(column.state == state.value)


def _part_json(part: RedLinePart) -> dict[str, Any]:
    return {"line_no": part.line_no, "amount": None if part.amount is None else str(part.amount)}


def _stored(row: Row[Any]) -> StoredForm:
    form = ConfirmationForm(
        blue_number=row.blue_number,
        reason=RedLetterReason(row.reason),
        initiator=PartyRole(row.initiator),
        state=ConfirmationState(row.state),
        entered_at=row.entered_at,
        parts=tuple(
            RedLinePart(
                part["line_no"], None if part["amount"] is None else Decimal(part["amount"])
            )
            for part in row.parts
        ),
    )
    return StoredForm(
        id=row.id,
        form=form,
        seller_company_id=row.seller_company_id,
        buyer_tax_id=row.buyer_tax_id,
        entered_by=row.entered_by,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
        red_number=row.red_number,
    )
