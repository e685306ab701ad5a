"""Remote approval (远程审批): requests the company's rules hold back, and their decisions.

An issue, void or red-letter request that matches the company's rules
(domain/approval.py) becomes an approval request holding what was asked, frozen,
instead of being carried out. The approvers of each level decide in turn; the last
approval carries the request out in the same transaction, as the requester, through
the invoice and red-letter services' own paths. A waiting issue request holds its
quota (persistence/quota_usage.py `used` counts it) until it ends. A batch held back is
one request too (services/batch_approvals.py), issued whole on approval.
"""

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from invoicing_core.domain import audit_actions
from invoicing_core.domain.approval import (
    NAMEABLE_ROLES,
    ApprovalAction,
    ApprovalRules,
    parse_rules,
)
from invoicing_core.domain.approval_request import (
    ApprovalContentChanged,
    ApprovalRequest,
    ApprovalState,
    invoice_content,
    open_request,
)
from invoicing_core.domain.errors import IdempotencyConflict
from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.party import PartyRole
from invoicing_core.domain.quota import quota_charge
from invoicing_core.domain.red_letter import RedLinePart
from invoicing_core.persistence import approval_repository as requests
from invoicing_core.persistence import user_repository
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.numbers import lock_numbers
from invoicing_core.persistence.quota_usage import month_key
from invoicing_core.services.accounts import Principal
from invoicing_core.services.approval_outcomes import (
    ApprovalOutcome,
    ApprovalView,
    StoredRules,
    result_of,
)
from invoicing_core.services.approval_steps import (
    audit_step,
    check_approvers,
    company_of,
    found,
    issue_reasons,
    issue_request_of,
    refuse_second_request,
    request_json,
    requester_of,
    subject_of,
)
from invoicing_core.services.batch_issuing import issue_held_batch
from invoicing_core.services.clock import Clock, utc_now
from invoicing_core.services.invoices import (
    InvoiceService,
    IssueRequest,
    issuing_company,
    load_invoice,
    placeholder_number,
)
from invoicing_core.services.red_letter_forms import (
    RedLetterFormService,
    RedLetterOutcome,
    RedLetterRequest,
)


class ApprovalService:
    """Approval rules per company, and the requests they hold back."""

    def __init__(
        self,
        engine: Engine,
        invoices: InvoiceService,
        red_letters: RedLetterFormService,
        clock: Clock = utc_now,
    ) -> None:
        self._engine = engine
        self._invoices = invoices
        self._red_letters = red_letters
        self._clock = clock

    # The rules.

    def rules(self, who: Principal) -> StoredRules:
        """The caller's company's rules."""
        company_id = company_of(who)
        with self._engine.connect() as connection:
            found = requests.rules_of(connection, company_id)
        return StoredRules(found or ApprovalRules(), found is not None)

    def set_rules(self, who: Principal, data: dict[str, Any]) -> StoredRules:
        """The admin replaces the company's rules; named approvers must be its users."""
        company_id, now = who.company_as_admin("设置审批规则"), self._clock()
        rules = parse_rules(data)
        with begin_write(self._engine) as connection:
            check_approvers(connection, company_id, rules)
            before = requests.rules_of(connection, company_id)
            requests.save_rules(connection, company_id, rules, who.username, now)
            record(
                connection,
                AuditEntry(
                    who.username,
                    audit_actions.APPROVAL_RULES,
                    f"approval_rules:{company_id}",
                    now,
                    company_id,
                    before.to_json() if before else None,
                    rules.to_json(),
                ),
            )
        return StoredRules(rules, True)

    # Requests that may be held back.

    def issue(
        self, who: Principal, request: IssueRequest, key: str | None = None
    ) -> Invoice | ApprovalView:
        """Issue, or, when the rules say so, ask for approval (the preview frozen)."""
        company_id = issuing_company(who)
        try:
            held = self._hold_issue(who, company_id, request, key)
        except IntegrityError:
            # A concurrent request under the same key was stored first: answer with it.
            if key is None:
                raise
            held = self._hold_issue(who, company_id, request, key)
        return held or self._invoices.issue(who, request, key)

    def _hold_issue(
        self, who: Principal, company_id: int, request: IssueRequest, key: str | None
    ) -> ApprovalView | None:
        """The approval request the issue request becomes, or None when the rules let it pass."""
        with begin_write(self._engine) as connection:
            if key is not None:
                earlier = requests.by_key(connection, company_id, key)
                if earlier is not None:
                    if earlier.content.get("request") != request_json(request):
                        raise IdempotencyConflict(
                            "该 Idempotency-Key 已用于另一张发票的开具请求，"
                            "请为新的请求使用新的键。",
                            field="Idempotency-Key",
                        )
                    return self._view(earlier, who)
            rules = requests.rules_of(connection, company_id)
            if rules is not None and rules.any_condition:
                # The lock issuing takes: requests and issuers check the quota one at a time.
                year = self._clock().astimezone(CHINA_TZ).year
                lock_numbers(connection, company_id, request.kind, year)
                preview = self._invoices.preview_within(connection, who, request)
                reasons = issue_reasons(
                    connection,
                    company_id,
                    rules,
                    preview.kind,
                    preview.total_with_tax,
                    preview.buyer,
                    preview.lines,
                )
                if reasons:
                    content = {
                        "request": request_json(request),
                        "invoice": invoice_content(preview),
                    }
                    return self._hold(
                        connection, who, rules, ApprovalAction.ISSUE, reasons, content, key, preview
                    )
        return None

    def void(self, who: Principal, number: str, reason: str) -> Invoice | ApprovalView:
        """Void, or, when the rules say so, ask for approval."""
        company_id, now = issuing_company(who), self._clock()
        with begin_write(self._engine) as connection:
            rules = requests.rules_of(connection, company_id)
            if rules is not None and rules.void:
                invoice = load_invoice(connection, company_id, number)
                content = {"number": invoice.identifier, "invoice": invoice_content(invoice)}
                # Checked as voiding would check it, on a copy that is not saved.
                invoice.void(reason, who.username, now)
                content["reason"] = invoice.voided.reason if invoice.voided else reason
                refuse_second_request(connection, company_id, invoice.identifier, now)
                subject = subject_of(ApprovalAction.VOID, invoice)
                return self._hold(
                    connection,
                    who,
                    rules,
                    ApprovalAction.VOID,
                    rules.reasons(subject),
                    content,
                    None,
                    None,
                )
        return self._invoices.void(who, number, reason)

    def red_letter(
        self, who: Principal, number: str, request: RedLetterRequest, *, seller_only: bool = False
    ) -> RedLetterOutcome | ApprovalView:
        """Enter a red-letter form, or, when the seller's rules say so, ask for approval.

        A buyer entering a form is not held back: its seller answers the form.
        """
        company_id, now = issuing_company(who), self._clock()
        with begin_write(self._engine) as connection:
            rules = requests.rules_of(connection, company_id)
            if rules is not None and rules.red_letter:
                side, _, blue, form = self._red_letters.checked_form(
                    connection, who, number, request, seller_only=seller_only
                )
                if side is PartyRole.SELLER:
                    refuse_second_request(connection, company_id, blue.identifier, now)
                    red_number, red_code = placeholder_number(blue.kind, now)
                    red = blue.red_letter(
                        form.reason, form.parts or None, number=red_number, code=red_code, at=now
                    )
                    content = {
                        "number": blue.identifier,
                        "reason": form.reason.value,
                        "parts": [
                            {
                                "line_no": part.line_no,
                                "amount": None if part.amount is None else str(part.amount),
                            }
                            for part in form.parts
                        ],
                        "invoice": invoice_content(blue),
                        "red_invoice": invoice_content(red),
                    }
                    subject = subject_of(ApprovalAction.RED_LETTER, blue)
                    return self._hold(
                        connection,
                        who,
                        rules,
                        ApprovalAction.RED_LETTER,
                        rules.reasons(subject),
                        content,
                        None,
                        None,
                    )
        return self._red_letters.enter(who, number, request, seller_only=seller_only)

    def _hold(
        self,
        connection: Connection,
        who: Principal,
        rules: ApprovalRules,
        action: ApprovalAction,
        reasons: list[str],
        content: dict[str, Any],
        key: str | None,
        preview: Invoice | None,
    ) -> ApprovalView:
        now = self._clock()
        company_id = issuing_company(who)
        asked = open_request(
            company_id=company_id,
            action=action,
            requested_by=who.username,
            rules=rules,
            reasons=reasons,
            content=content,
            quota_hold=quota_charge(preview) if preview is not None else Decimal(0),
            now=now,
        )
        stored = requests.add(connection, asked, month_key(now), key)
        audit_step(connection, who.username, "request", stored, None, now)
        return self._view(stored, who)

    # Decisions.

    def approve(self, who: Principal, request_id: int) -> ApprovalOutcome:
        """The caller approves at the current level; the last level carries the request out."""
        return self._decide(who, request_id, "approve", "")

    def reject(self, who: Principal, request_id: int, reason: str) -> ApprovalOutcome:
        """The caller rejects the request, with a reason; its quota hold ends."""
        return self._decide(who, request_id, "reject", reason)

    def cancel(self, who: Principal, request_id: int) -> ApprovalOutcome:
        """The requester takes the request back; its quota hold ends."""
        return self._decide(who, request_id, "cancel", "")

    def _decide(self, who: Principal, request_id: int, move: str, reason: str) -> ApprovalOutcome:
        company_id = company_of(who)
        with begin_write(self._engine) as connection:
            now = self._clock()
            stored = found(connection, company_id, request_id, lock=True)
            if not stored.lapses_at(now):
                return self._move(connection, who, stored, move, reason, now)
            lapsed = stored.lapse()
            requests.save(connection, lapsed)
            audit_step(connection, audit_actions.SYSTEM_ACTOR, "lapse", lapsed, stored, now)
        # The lapse is recorded; the caller is told the request came to an end.
        raise lapsed.ended(now)

    def _move(
        self,
        connection: Connection,
        who: Principal,
        stored: ApprovalRequest,
        move: str,
        reason: str,
        now: datetime,
    ) -> ApprovalOutcome:
        if move == "approve":
            moved = stored.approve(who.username, who.role, now)
        elif move == "reject":
            moved = stored.reject(who.username, who.role, reason, now)
        else:
            moved = stored.cancel(who.username, now)
        # Saved first: an approved request holds no quota while its invoice is issued.
        requests.save(connection, moved)
        done = None
        if moved.state is ApprovalState.APPROVED:
            requester = requester_of(connection, moved)
            done = self._carry_out(connection, requester, moved, now)
            moved = replace(moved, result=result_of(done))
            requests.save(connection, moved)
        audit_step(connection, who.username, move, moved, stored, now)
        view = ApprovalView(moved, now, moved.awaits(who.username, who.role, now))
        return replace(done, view=view) if done else ApprovalOutcome(view)

    def _carry_out(
        self,
        connection: Connection,
        requester: Principal,
        approved: ApprovalRequest,
        now: datetime,
    ) -> ApprovalOutcome:
        """What the approved request does, as its requester (the view is filled in later)."""
        view = ApprovalView(approved, now, False)
        if approved.action is ApprovalAction.BATCH:
            batch = issue_held_batch(connection, requester, approved.content, now)
            return ApprovalOutcome(view, batch=batch)
        invoice, red = self._carry_out_one(connection, requester, approved)
        return ApprovalOutcome(view, invoice, red)

    def _carry_out_one(
        self, connection: Connection, requester: Principal, approved: ApprovalRequest
    ) -> tuple[Invoice | None, RedLetterOutcome | None]:
        content = approved.content
        if approved.action is ApprovalAction.ISSUE:
            invoice = self._invoices.issue_within(
                connection, requester, issue_request_of(content["request"])
            )
            if invoice_content(invoice) != content["invoice"]:
                raise ApprovalContentChanged(
                    "按原申请开具的发票内容与审批时不一致，未开具。请撤销后重新提交申请。",
                    field="id",
                )
            return invoice, None
        if approved.action is ApprovalAction.VOID:
            voided = self._invoices.void_within(
                connection, requester, content["number"], content["reason"]
            )
            return voided, None
        parts = [RedLinePart(part["line_no"], part["amount"]) for part in content["parts"]]
        outcome = self._red_letters.enter_within(
            connection,
            requester,
            content["number"],
            RedLetterRequest(content["reason"], parts),
            seller_only=True,
        )
        return None, outcome

    # Reading.

    def get(self, who: Principal, request_id: int) -> ApprovalView:
        """One request of the caller's company."""
        company_id = company_of(who)
        with self._engine.connect() as connection:
            return self._view(found(connection, company_id, request_id), who)

    def search(
        self, who: Principal, state: ApprovalState | None, mine: str | None
    ) -> list[ApprovalView]:
        """The company's requests, newest first: all, those waiting for the caller
        (`mine="approver"`), or the caller's own (`mine="requester"`)."""
        company_id, now = company_of(who), self._clock()
        with self._engine.connect() as connection:
            by = who.username if mine == "requester" else None
            listed = requests.of_company(connection, company_id, state, now, by)
        views = [self._view(request, who, now) for request in listed]
        if mine == "approver":
            views = [view for view in views if view.awaiting_you]
        return views

    def awaiting_by_approver(self) -> dict[str, list[ApprovalView]]:
        """For notifiers: every user with requests waiting for their decision now, and those
        requests, oldest first (a request waits for every approver of its current level)."""
        now = self._clock()
        with self._engine.connect() as connection:
            waiting = requests.pending(connection, now)
            candidates = user_repository.of_companies_in_roles(connection, NAMEABLE_ROLES)
        found: dict[str, list[ApprovalView]] = {}
        for request in waiting:
            for user in candidates:
                if user.company_id == request.company_id and request.awaits(
                    user.username, user.role, now
                ):
                    found.setdefault(user.username, []).append(ApprovalView(request, now, True))
        return found

    def record_lapses(self) -> list[ApprovalRequest]:
        """For a periodic watcher: record (and audit) every request whose deadline has
        passed, so requesters can be told; the lapsed requests."""
        now = self._clock()
        done = []
        with begin_write(self._engine) as connection:
            for request_id in requests.overdue(connection, now):
                stored = requests.get(connection, request_id, lock=True)
                if stored is None or not stored.lapses_at(now):
                    continue
                lapsed = stored.lapse()
                requests.save(connection, lapsed)
                audit_step(connection, audit_actions.SYSTEM_ACTOR, "lapse", lapsed, stored, now)
                done.append(lapsed)
        return done

    def _view(
        self, request: ApprovalRequest, who: Principal, now: datetime | None = None
    ) -> ApprovalView:
        at = now or self._clock()
        return ApprovalView(request, at, request.awaits(who.username, who.role, at))
