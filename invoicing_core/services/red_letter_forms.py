"""Red-letter confirmation forms: entering, answering and withdrawing them.

Every red-letter invoice is issued on a form. A form that needs no confirmation
issues the red-letter invoice at once; otherwise the other party, when it is a
company of this system, confirms or denies it within 72 hours, and confirming
issues the red-letter invoice in the same transaction.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine

from invoicing_core.domain import audit_actions
from invoicing_core.domain.errors import (
    ConfirmationNotAllowed,
    ConfirmationPending,
    Forbidden,
    InvoiceNotFound,
    RedLetterFormNotFound,
)
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.party import PartyRole
from invoicing_core.domain.red_letter import (
    ConfirmationForm,
    ConfirmationState,
    RedLetterReason,
    RedLinePart,
    open_confirmation,
)
from invoicing_core.persistence import company_repository, invoice_repository
from invoicing_core.persistence import red_letter_form_repository as forms
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.red_letter_form_repository import StoredForm
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now
from invoicing_core.services.invoices import (
    issue_red_letter,
    issuing_company,
    load_invoice,
)
from invoicing_core.services.use_confirmations import use_confirmed


@dataclass(frozen=True)
class RedLetterRequest:
    """Negate a blue invoice in full (no parts) or the given parts of its lines."""

    reason: RedLetterReason | str | int
    parts: Sequence[RedLinePart] = field(default_factory=list)


@dataclass(frozen=True)
class FormView:
    """A form as one party sees it: its side, and whether the form waits for it."""

    stored: StoredForm
    side: PartyRole
    now: datetime

    @property
    def state(self) -> ConfirmationState:
        """The form's state now (a form nobody answered lapses)."""
        return self.stored.form.state_at(self.now)

    @property
    def awaiting_you(self) -> bool:
        """Whether the form waits for this party's answer."""
        return self.stored.form.awaiting(self.now) is self.side


@dataclass(frozen=True)
class RedLetterOutcome:
    """The form entered or answered, and the red-letter invoice it issued, if any."""

    form: FormView
    red: Invoice | None


@dataclass(frozen=True)
class FormPage:
    """One page of forms."""

    items: list[FormView]
    total: int
    page: int
    size: int


class RedLetterFormService:
    """Red-letter requests of sellers and buyers, through confirmation forms."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def enter(
        self, who: Principal, number: str, request: RedLetterRequest, *, seller_only: bool = False
    ) -> RedLetterOutcome:
        """Enter a form for the blue invoice, as its seller or its buyer.

        With `seller_only`, the invoice must be the caller's company's own.
        """
        with begin_write(self._engine) as connection:
            return self.enter_within(connection, who, number, request, seller_only=seller_only)

    def checked_form(
        self,
        connection: Connection,
        who: Principal,
        number: str,
        request: RedLetterRequest,
        *,
        seller_only: bool = False,
        lock: bool = False,
    ) -> tuple[PartyRole, int, Invoice, ConfirmationForm]:
        """The caller's side, the seller's company, the blue invoice and the form a request
        would enter now, refused as entering would refuse it; nothing is written."""
        company_id, now = issuing_company(who), self._clock()
        side, seller_id = _side_for_invoice(connection, company_id, number, seller_only)
        blue = load_invoice(connection, seller_id, number, lock=lock)
        form = open_confirmation(
            blue_number=blue.identifier,
            reason=RedLetterReason.parse(request.reason),
            initiator=side,
            parts=tuple(request.parts),
            buyer_confirmed_use=use_confirmed(connection, blue),
            now=now,
        )
        blue.check_red_letter(form.parts or None)
        pending = forms.open_for(connection, blue.identifier, now)
        if pending is not None:
            raise ConfirmationPending(
                f"该发票已有待确认的红字确认单（编号{pending.id}），"
                "请等待对方确认，或由发起方撤销后重新填开。",
                field="number",
            )
        return side, seller_id, blue, form

    def enter_within(
        self,
        connection: Connection,
        who: Principal,
        number: str,
        request: RedLetterRequest,
        *,
        seller_only: bool = False,
    ) -> RedLetterOutcome:
        """Enter a form inside the caller's transaction (an approved request enters this way)."""
        company_id, now = issuing_company(who), self._clock()
        side, seller_id, blue, form = self.checked_form(
            connection, who, number, request, seller_only=seller_only, lock=True
        )
        red = None
        if form.allows_issuing(now):
            red = issue_red_letter(connection, who.username, seller_id, blue, form, now)
        stored = forms.add(
            connection,
            StoredForm(
                id=0,
                form=form,
                seller_company_id=seller_id,
                buyer_tax_id=blue.buyer.tax_id,
                entered_by=who.username,
                red_number=red.identifier if red else None,
            ),
        )
        _audit(connection, who, company_id, "enter", stored, None, now)
        return RedLetterOutcome(FormView(stored, side, now), red)

    def confirm(self, who: Principal, form_id: int) -> RedLetterOutcome:
        """The other party agrees; the red-letter invoice is issued at once."""
        return self._answer(who, form_id, "confirm")

    def deny(self, who: Principal, form_id: int) -> RedLetterOutcome:
        """The other party refuses; the form is void."""
        return self._answer(who, form_id, "deny")

    def withdraw(self, who: Principal, form_id: int) -> RedLetterOutcome:
        """The initiator takes back a form that has not issued its red-letter invoice."""
        return self._answer(who, form_id, "withdraw")

    def get(self, who: Principal, form_id: int) -> FormView:
        """A form that concerns the caller's company."""
        company_id, now = _reading_company(who), self._clock()
        with self._engine.connect() as connection:
            stored, side = _found_form(connection, company_id, form_id)
        return FormView(stored, side, now)

    def search(
        self, who: Principal, state: ConfirmationState | None, page: int, size: int
    ) -> FormPage:
        """A page of the forms where the caller's company is seller or buyer, newest first."""
        company_id, now = _reading_company(who), self._clock()
        with self._engine.connect() as connection:
            tax_id = _tax_id_of(connection, company_id)
            found, total = forms.of_company(connection, company_id, tax_id, state, now, page, size)
        views = [FormView(stored, _side(company_id, stored), now) for stored in found]
        return FormPage(views, total, page, size)

    def _answer(self, who: Principal, form_id: int, move: str) -> RedLetterOutcome:
        company_id, now = issuing_company(who), self._clock()
        with begin_write(self._engine) as connection:
            stored, side = _found_form(connection, company_id, form_id, lock=True)
            if move == "withdraw" and stored.red_number is not None:
                raise ConfirmationNotAllowed(
                    f"已根据该确认单开具红字发票{stored.red_number}，确认单不能再撤销。"
                )
            moved: ConfirmationForm = getattr(stored.form, move)(side, now)
            red = None
            if moved.allows_issuing(now):
                blue = load_invoice(connection, stored.seller_company_id, moved.blue_number, True)
                # The red-letter invoice is the seller's: its issuer is the seller's user.
                issuer = stored.entered_by if side is PartyRole.BUYER else who.username
                red = issue_red_letter(
                    connection, issuer, stored.seller_company_id, blue, moved, now
                )
            answered = replace(
                stored,
                form=moved,
                answered_at=now,
                answered_by=who.username,
                red_number=red.identifier if red else None,
            )
            forms.save_answer(connection, answered)
            _audit(connection, who, company_id, move, answered, stored, now)
        return RedLetterOutcome(FormView(answered, side, now), red)


def _reading_company(who: Principal) -> int:
    if who.company_id is None:
        raise Forbidden("该账号不属于任何企业，不能查看红字确认单。")
    return who.company_id


def _tax_id_of(connection: Connection, company_id: int) -> str:
    return company_repository.get(connection, company_id).tax_id


def _side(company_id: int, stored: StoredForm) -> PartyRole:
    return PartyRole.SELLER if stored.seller_company_id == company_id else PartyRole.BUYER


def _side_for_invoice(
    connection: Connection, company_id: int, number: str, seller_only: bool
) -> tuple[PartyRole, int]:
    """The caller's side of the invoice and the seller's company; not found for strangers."""
    owner = invoice_repository.owner_of(connection, number.strip())
    if owner is not None:
        seller_id, buyer_tax_id = owner
        if seller_id == company_id:
            return PartyRole.SELLER, seller_id
        if not seller_only and buyer_tax_id == _tax_id_of(connection, company_id):
            return PartyRole.BUYER, seller_id
    raise InvoiceNotFound(f"没有找到发票号码为 {number} 的发票。", field="number")


def _found_form(
    connection: Connection, company_id: int, form_id: int, *, lock: bool = False
) -> tuple[StoredForm, PartyRole]:
    """The form and the caller's side of it; not found for other companies."""
    stored = forms.get(connection, form_id, lock=lock)
    if stored is not None:
        if stored.seller_company_id == company_id:
            return stored, PartyRole.SELLER
        if stored.buyer_tax_id == _tax_id_of(connection, company_id):
            return stored, PartyRole.BUYER
    raise RedLetterFormNotFound("没有找到该红字确认单。", field="id")


def _snapshot(stored: StoredForm) -> dict[str, Any]:
    return {"state": stored.form.state.value, "red_number": stored.red_number}


def _audit(
    connection: Connection,
    who: Principal,
    company_id: int,
    move: str,
    stored: StoredForm,
    before: StoredForm | None,
    now: datetime,
) -> None:
    after = {
        **_snapshot(stored),
        "blue_number": stored.form.blue_number,
        "reason": stored.form.reason.value,
    }
    entry = AuditEntry(
        who.username,
        audit_actions.RED_LETTER_FORM + move,
        f"red_letter_form:{stored.id}",
        now,
        company_id,
        _snapshot(before) if before else None,
        after,
    )
    record(connection, entry)
