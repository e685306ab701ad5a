"""Issuing, finding, voiding and red-lettering invoices, each in one transaction."""

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from invoicing_core.domain import audit_actions
from invoicing_core.domain.errors import (
    DomainError,
    Forbidden,
    IdempotencyConflict,
    InvoiceNotFound,
)
from invoicing_core.domain.invoice import CHINA_TZ, Invoice, ensure_buyer_identified
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import DecimalInput
from invoicing_core.domain.numbering import DigitalInvoiceNumber
from invoicing_core.domain.party import Party
from invoicing_core.domain.quota import MonthlyQuota, ensure_within_invoice_limit, quota_charge
from invoicing_core.domain.red_letter import ConfirmationForm
from invoicing_core.domain.tax_id import check_tax_id
from invoicing_core.domain.text import invoice_text
from invoicing_core.persistence import company_repository, idempotency_key_repository, quota_usage
from invoicing_core.persistence import invoice_repository as repository
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.persistence.company_repository import Company
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.idempotency_key_repository import IdempotencyKey
from invoicing_core.persistence.numbers import (
    ISSUING_CHANNEL,
    ensure_paper_in_stock,
    next_digital_number,
    next_paper_number,
)
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now


@dataclass(frozen=True)
class LineInput:
    """A line as the caller enters it."""

    name: str
    quantity: DecimalInput
    unit_price: DecimalInput
    tax_rate: str
    tax_included: bool = False
    tax_code: str | None = None
    spec: str = ""
    unit: str = ""


@dataclass(frozen=True)
class IssueRequest:
    """What to issue; `confirm_tax_id` accepts a buyer id that fails its check character."""

    kind: InvoiceKind
    buyer: dict[str, str]
    lines: Sequence[LineInput]
    remark: str = ""
    confirm_tax_id: bool = False

    def fingerprint(self) -> str:
        """A hash of the request, to tell a retry from a different request under one key."""
        content = json.dumps(asdict(self), sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(content.encode()).hexdigest()


@dataclass(frozen=True)
class Page:
    """One page of search results."""

    items: list[Invoice]
    total: int
    page: int
    size: int


@contextmanager
def _field_prefix(prefix: str) -> Iterator[None]:
    # Domain objects name their own fields; the caller sees them inside the request.
    try:
        yield
    except DomainError as error:
        error.field = f"{prefix}.{error.field}" if error.field else prefix
        raise


class InvoiceService:
    """The invoice use cases of one company's users."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def issue(self, who: Principal, request: IssueRequest, key: str | None = None) -> Invoice:
        """Issue an invoice; a retry under the same Idempotency-Key returns the first one."""
        company_id = issuing_company(who)
        buyer, lines = _buyer(request), _lines(request.lines)
        try:
            with begin_write(self._engine) as connection:
                earlier = _earlier_result(connection, company_id, key, request)
                if earlier is not None:
                    return earlier
                invoice = self._issue(connection, who, company_id, request, buyer, lines)
                if key is not None:
                    used = IdempotencyKey(
                        company_id,
                        key,
                        request.fingerprint(),
                        invoice.identifier,
                        invoice.issued_at,
                    )
                    idempotency_key_repository.add(connection, used)
                return invoice
        except IntegrityError:
            # A concurrent request with the same key won the race: answer with its invoice.
            if key is None:
                raise
            with self._engine.connect() as connection:
                winner = _earlier_result(connection, company_id, key, request)
            if winner is None:
                raise
            return winner

    def issue_within(
        self, connection: Connection, who: Principal, request: IssueRequest
    ) -> Invoice:
        """Issue inside the caller's transaction (an approved request issues this way)."""
        company_id = issuing_company(who)
        buyer, lines = _buyer(request), _lines(request.lines)
        return self._issue(connection, who, company_id, request, buyer, lines)

    def preview(self, who: Principal, request: IssueRequest) -> Invoice:
        """The invoice as it would be issued now, checked by every rule; nothing is written.

        Its number is a placeholder of zeros: the real one is taken only when issuing.
        """
        with self._engine.connect() as connection:
            return self.preview_within(connection, who, request)

    def preview_within(
        self, connection: Connection, who: Principal, request: IssueRequest
    ) -> Invoice:
        """The preview, inside the caller's transaction (an approval request freezes it)."""
        company_id = issuing_company(who)
        buyer, lines = _buyer(request), _lines(request.lines)
        now = self._clock()
        ensure_paper_in_stock(connection, company_id, request.kind)
        number, code = placeholder_number(request.kind, now)
        return _checked_invoice(
            connection, who, company_id, request, Draft(buyer, lines, number, code, now)
        )

    def _issue(
        self,
        connection: Connection,
        who: Principal,
        company_id: int,
        request: IssueRequest,
        buyer: Party,
        lines: tuple[InvoiceLine, ...],
    ) -> Invoice:
        now = self._clock()
        # The number is taken before the checks: its row lock makes concurrent issuers
        # queue, so two invoices cannot both fit into the same remaining quota.
        number, code = _next_number(connection, company_id, request.kind, now)
        invoice = _checked_invoice(
            connection, who, company_id, request, Draft(buyer, lines, number, code, now)
        )
        repository.add(connection, invoice, company_id, who.username)
        quota_usage.add(connection, company_id, now, quota_charge(invoice))
        _audit(
            connection, who.username, company_id, audit_actions.INVOICE_ISSUE, invoice, None, now
        )
        return invoice

    def now(self) -> datetime:
        """The service's clock: the moment a void asked for now would be judged at."""
        return self._clock()

    def get(self, who: Principal, number: str) -> Invoice:
        """The caller's company's invoice with this number."""
        with self._engine.connect() as connection:
            return load_invoice(connection, _reading_company(who), number)

    def search(self, who: Principal, where: repository.InvoiceFilter, page: int, size: int) -> Page:
        """A page of the caller's company's invoices, newest first."""
        with self._engine.connect() as connection:
            items, total = repository.search(connection, _reading_company(who), where, page, size)
        return Page(items, total, page, size)

    def void(self, who: Principal, number: str, reason: str) -> Invoice:
        """Void a paper invoice of this month, if the rules allow; otherwise say why."""
        with begin_write(self._engine) as connection:
            return self.void_within(connection, who, number, reason)

    def void_within(
        self, connection: Connection, who: Principal, number: str, reason: str
    ) -> Invoice:
        """Void inside the caller's transaction (an approved request voids this way)."""
        company_id, now = issuing_company(who), self._clock()
        invoice = load_invoice(connection, company_id, number, lock=True)
        before = _state(invoice)
        invoice.void(reason, who.username, now)
        repository.save_state(connection, invoice)
        quota_usage.add(connection, company_id, invoice.issued_at, -quota_charge(invoice))
        if invoice.red_of is not None:
            # Voiding a red-letter invoice gives its blue invoice its amount back.
            repository.save_state(connection, load_invoice(connection, company_id, invoice.red_of))
        _audit(
            connection, who.username, company_id, audit_actions.INVOICE_VOID, invoice, before, now
        )
        return invoice


def issue_red_letter(
    connection: Connection,
    issuer: str,
    company_id: int,
    blue: Invoice,
    form: ConfirmationForm,
    now: datetime,
) -> Invoice:
    """Issue the red-letter invoice of a form that allows it, negating the locked blue one."""
    before = _state(blue)
    red_number, red_code = _next_number(connection, company_id, blue.kind, now)
    red = blue.red_letter(form.reason, form.parts or None, number=red_number, code=red_code, at=now)
    repository.add(connection, red, company_id, issuer)
    repository.save_state(connection, blue)
    _audit(connection, issuer, company_id, audit_actions.INVOICE_RED_LETTER, blue, before, now)
    _audit(connection, issuer, company_id, audit_actions.INVOICE_ISSUE, red, None, now)
    return red


@dataclass(frozen=True)
class Draft:
    """What an invoice is made of before the rules that need the company are checked."""

    buyer: Party
    lines: tuple[InvoiceLine, ...]
    number: str
    code: str | None
    at: datetime


def _checked_invoice(
    connection: Connection, who: Principal, company_id: int, request: IssueRequest, draft: Draft
) -> Invoice:
    """The invoice the company would issue, refused if it breaks the quota or a limit."""
    company = company_repository.get(connection, company_id)
    invoice = Invoice(
        number=draft.number,
        code=draft.code,
        kind=request.kind,
        seller=seller_of(company),
        buyer=draft.buyer,
        lines=draft.lines,
        issued_at=draft.at,
        issued_by=who.username,
        remark=invoice_text(request.remark, field="remark", label="备注"),
    )
    ensure_buyer_identified(invoice)
    used = quota_usage.used(connection, company_id, draft.at)
    MonthlyQuota(company.monthly_quota, used).charge(invoice)
    ensure_within_invoice_limit(invoice, company.paper_special_limit)
    return invoice


def placeholder_number(kind: InvoiceKind, now: datetime) -> tuple[str, str | None]:
    """The number and code of an invoice not issued yet: zeros."""
    if kind.is_digital:
        year = now.astimezone(CHINA_TZ).year
        return str(DigitalInvoiceNumber(year=year, channel=ISSUING_CHANNEL, sequence=0)), None
    return "0" * 8, "0" * 10


def issuing_company(who: Principal) -> int:
    """The company the caller issues for; refused for roles that may not issue."""
    if not who.role.may_issue or who.company_id is None:
        raise Forbidden("您的账号没有开票权限，请联系企业管理员。")
    return who.company_id


def _reading_company(who: Principal) -> int:
    if who.company_id is None:
        raise Forbidden("该账号不属于任何企业，不能查看发票。")
    return who.company_id


def load_invoice(
    connection: Connection, company_id: int, number: str, lock: bool = False
) -> Invoice:
    """The company's invoice with this number; refused as not found otherwise."""
    invoice = repository.get(connection, number.strip(), company_id, lock=lock)
    if invoice is None:
        raise InvoiceNotFound(f"没有找到发票号码为 {number} 的发票。", field="number")
    return invoice


def _buyer(request: IssueRequest) -> Party:
    details = dict(request.buyer)
    with _field_prefix("buyer"):
        if details.get("tax_id"):
            details["tax_id"] = check_tax_id(details["tax_id"]).accept(
                confirmed=request.confirm_tax_id
            )
        else:
            details.pop("tax_id", None)
        return Party.from_input(**details)


def _lines(inputs: Sequence[LineInput]) -> tuple[InvoiceLine, ...]:
    lines = []
    for index, line in enumerate(inputs):
        with _field_prefix(f"lines[{index}]"):
            lines.append(InvoiceLine.from_input(**asdict(line)))
    return tuple(lines)


def seller_of(company: Company) -> Party:
    """The seller printed on the company's invoices; its texts are checked as a buyer's are.

    Company details are registered by operators, not through the API: a company whose
    texts hold invisible characters cannot issue until they are corrected.
    """
    with _field_prefix("seller"):
        return Party.from_input(
            name=company.name,
            tax_id=company.tax_id,
            address=company.address,
            phone=company.phone,
            bank=company.bank,
            account=company.account,
        )


def _next_number(
    connection: Connection, company_id: int, kind: InvoiceKind, now: datetime
) -> tuple[str, str | None]:
    if kind.is_digital:
        return next_digital_number(connection, now.astimezone(CHINA_TZ).year), None
    paper = next_paper_number(connection, company_id, kind)
    return paper.number, paper.code


def _earlier_result(
    connection: Connection, company_id: int, key: str | None, request: IssueRequest
) -> Invoice | None:
    if key is None:
        return None
    earlier = idempotency_key_repository.get(connection, company_id, key)
    if earlier is None:
        return None
    if earlier.request_hash != request.fingerprint():
        raise IdempotencyConflict(
            "该 Idempotency-Key 已用于另一张发票的开具请求，请为新的请求使用新的键。",
            field="Idempotency-Key",
        )
    return load_invoice(connection, company_id, earlier.invoice_number)


def _state(invoice: Invoice) -> dict[str, Any]:
    return {"status": invoice.status.value, "total_with_tax": str(invoice.total_with_tax)}


def _audit(
    connection: Connection,
    actor: str,
    company_id: int,
    action: str,
    invoice: Invoice,
    before: dict[str, Any] | None,
    now: datetime,
) -> None:
    after = {**_state(invoice), "kind": invoice.kind.value, "buyer": invoice.buyer.name}
    if invoice.voided is not None:
        after["reason"] = invoice.voided.reason
    record(
        connection,
        AuditEntry(actor, action, invoice.identifier, now, company_id, before, after),
    )
