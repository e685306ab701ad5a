"""Issuing a whole batch file: all its valid invoices in one transaction, or none; a batch
the approval rules hold back becomes one approval request (services/batch_approvals.py)."""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine

from invoicing_core.batch import InvoiceDraft, RowError, parse_batch
from invoicing_core.domain import audit_actions
from invoicing_core.domain.approval_request import ApprovalRequest
from invoicing_core.domain.errors import QuotaExceeded
from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.money import format_money
from invoicing_core.domain.quota import Chargeable, MonthlyQuota, quota_charge
from invoicing_core.persistence import (
    approval_repository,
    company_repository,
    idempotency_key_repository,
    quota_usage,
)
from invoicing_core.persistence import invoice_repository as repository
from invoicing_core.persistence.audit import AuditEntry, record_many
from invoicing_core.persistence.company_repository import Company
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.idempotency_key_repository import IdempotencyKey
from invoicing_core.persistence.numbers import lock_numbers, next_digital_numbers
from invoicing_core.services.accounts import Principal
from invoicing_core.services.batch_approvals import (
    drafts_of,
    ensure_unissued,
    held_rows,
    hold_batch,
)
from invoicing_core.services.clock import Clock, utc_now
from invoicing_core.services.invoices import issuing_company, seller_of


@dataclass(frozen=True)
class BatchOutcome:
    """How many invoices were issued, their numbers, and every row that was not; or, when
    the approval rules hold the batch back, the approval request it became (nothing issued)."""

    accepted: int
    numbers: list[str]
    rejected: list[RowError]
    approval: ApprovalRequest | None = None


@dataclass(frozen=True)
class BatchPreview:
    """What issuing the file would do, issuing nothing: the invoices it would issue, their
    totals, every row it would not, why the whole batch would be refused (quota), and each
    invoice the approval rules would hold back (the batch would then wait for approval)."""

    drafts: list[InvoiceDraft]
    rejected: list[RowError]
    refusal: str | None
    held: list[str] = field(default_factory=list)

    @property
    def total_with_tax(self) -> Decimal:
        """The price-tax total of the invoices that would be issued."""
        return sum((draft.total_with_tax for draft in self.drafts), Decimal(0))


def _serial_key(serial: str) -> str:
    # Idempotency keys of batch rows: uploading the same file again issues nothing twice.
    return f"batch:{serial}"


class BatchIssuing:
    """Parses an upload in the batch template and issues its invoices."""

    def __init__(
        self, engine: Engine, clock: Clock = utc_now, max_file_bytes: int = 10 * 2**20
    ) -> None:
        self._engine = engine
        self._clock = clock
        # A larger upload is refused before it is parsed (CoreSettings.max_upload_bytes).
        self.max_file_bytes = max_file_bytes

    def issue_file(
        self, who: Principal, data: bytes, filename: str, issue_valid: bool
    ) -> BatchOutcome:
        """Issue the file's invoices; with bad rows, nothing unless `issue_valid`."""
        company_id = issuing_company(who)
        parsed = parse_batch(data, filename)
        if parsed.errors and not issue_valid:
            return BatchOutcome(0, [], list(parsed.errors))
        return self._issue(who, company_id, parsed.drafts, list(parsed.errors))

    def preview_file(self, who: Principal, data: bytes, filename: str) -> BatchPreview:
        """Check the file as issuing would (rows, serials issued before, the monthly quota)
        and say what would be issued; nothing is issued and no number is taken."""
        company_id = issuing_company(who)
        parsed = parse_batch(data, filename)
        with self._engine.connect() as connection:
            company = company_repository.get(connection, company_id)
            fresh, repeated = _split_issued(connection, company_id, parsed.drafts)
            rules = approval_repository.rules_of(connection, company_id)
            held = held_rows(connection, company_id, rules, fresh)
            refusal = None
            try:
                _check_quota(connection, company, fresh, self._clock())
            except QuotaExceeded as refused:
                refusal = refused.message
        return BatchPreview(fresh, [*parsed.errors, *repeated], refusal, held)

    def _issue(
        self,
        who: Principal,
        company_id: int,
        drafts: Sequence[InvoiceDraft],
        rejected: list[RowError],
    ) -> BatchOutcome:
        now = self._clock()
        with begin_write(self._engine) as connection:
            company = company_repository.get(connection, company_id)
            fresh, repeated = _split_issued(connection, company_id, drafts)
            rejected += repeated
            if not fresh:
                return BatchOutcome(0, [], rejected)
            rules = approval_repository.rules_of(connection, company_id)
            held = held_rows(connection, company_id, rules, fresh)
            if rules is not None and held:
                # Queued behind issuers, as issuing is, so holds never pass the quota together.
                lock_numbers(connection, company_id, fresh[0].kind, now.astimezone(CHINA_TZ).year)
                _check_quota(connection, company, fresh, now)
                request = hold_batch(connection, who, company, rules, fresh, held, now)
                return BatchOutcome(0, [], rejected, request)
            issued = _issue_drafts(connection, who, company, fresh, now)
        return BatchOutcome(len(issued), [invoice.number for invoice in issued], rejected)


def issue_held_batch(
    connection: Connection, who: Principal, content: dict[str, Any], now: datetime
) -> BatchOutcome:
    """Issue, as `who`, every invoice an approved batch request froze, inside the caller's
    transaction; refused whole when any of its serials was issued meanwhile."""
    company = company_repository.get(connection, issuing_company(who))
    drafts = drafts_of(content)
    keys = [_serial_key(draft.serial) for draft in drafts]
    ensure_unissued(idempotency_key_repository.invoice_numbers(connection, company.id, keys))
    issued = _issue_drafts(connection, who, company, drafts, now)
    return BatchOutcome(len(issued), [invoice.number for invoice in issued], [])


def _issue_drafts(
    connection: Connection,
    who: Principal,
    company: Company,
    fresh: Sequence[InvoiceDraft],
    now: datetime,
) -> list[Invoice]:
    """Number, charge, store and audit the drafts, with their serials as idempotency keys."""
    company_id = company.id
    numbers = next_digital_numbers(connection, now.astimezone(CHINA_TZ).year, len(fresh))
    seller = seller_of(company)
    issued = [
        Invoice(
            number=number,
            kind=draft.kind,
            seller=seller,
            buyer=draft.buyer,
            lines=draft.lines,
            issued_at=now,
            issued_by=who.username,
            remark=draft.remark,
        )
        for number, draft in zip(numbers, fresh, strict=True)
    ]
    _charge_quota(connection, company, issued, now)
    repository.add_many(connection, issued, company_id, who.username)
    record_many(
        connection,
        [
            AuditEntry(
                who.username,
                audit_actions.INVOICE_ISSUE,
                invoice.number,
                now,
                company_id,
                None,
                {
                    "status": invoice.status.value,
                    "batch": True,
                    "total_with_tax": str(invoice.total_with_tax),
                },
            )
            for invoice in issued
        ],
    )
    idempotency_key_repository.add_many(
        connection,
        [
            IdempotencyKey(
                company_id,
                _serial_key(draft.serial),
                hashlib.sha256(draft.serial.encode()).hexdigest(),
                invoice.number,
                now,
            )
            for draft, invoice in zip(fresh, issued, strict=True)
        ],
    )
    return issued


def _split_issued(
    connection: Connection, company_id: int, drafts: Sequence[InvoiceDraft]
) -> tuple[list[InvoiceDraft], list[RowError]]:
    """The drafts not issued before, and a row error for each serial that was."""
    keys = [_serial_key(draft.serial) for draft in drafts]
    earlier = idempotency_key_repository.invoice_numbers(connection, company_id, keys)
    fresh = [draft for draft in drafts if _serial_key(draft.serial) not in earlier]
    repeated = [
        _already_issued(d, earlier[_serial_key(d.serial)])
        for d in drafts
        if _serial_key(d.serial) in earlier
    ]
    return fresh, repeated


def _check_quota(
    connection: Connection, company: Company, issued: Sequence[Chargeable], now: datetime
) -> Decimal:
    """What the invoices charge to this month's quota; refused when it is not enough."""
    used = quota_usage.used(connection, company.id, now)
    quota = MonthlyQuota(company.monthly_quota, used)
    total = sum((quota_charge(invoice) for invoice in issued), Decimal(0))
    if total > quota.remaining:
        raise QuotaExceeded(
            f"本批发票合计金额（不含税）{format_money(total)}元，超出本月剩余开票额度"
            f"{format_money(quota.remaining)}元，整批未开具。请申请调整额度或拆分批次后再试。",
            field="file",
        )
    return total


def _charge_quota(
    connection: Connection, company: Company, issued: list[Invoice], now: datetime
) -> None:
    quota_usage.add(connection, company.id, now, _check_quota(connection, company, issued, now))


def _already_issued(draft: InvoiceDraft, number: str) -> RowError:
    return RowError(
        sheet=draft.sheet,
        row=draft.row,
        field="发票流水号",
        message=f"流水号“{draft.serial}”此前已开具发票 {number}，本次未重复开具。",
    )
