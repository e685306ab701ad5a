"""The pieces the approval service composes: whose request it is and who may name whom,
why an invoice waits, what a request freezes of an issue request, and its audit entries."""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from invoicing_core.domain import audit_actions
from invoicing_core.domain.approval import (
    NAMEABLE_ROLES,
    ApprovalAction,
    ApprovalRules,
    Subject,
    UnknownApprover,
)
from invoicing_core.domain.approval_request import (
    ApprovalNotFound,
    ApprovalRequest,
    ApprovalState,
)
from invoicing_core.domain.errors import ConfirmationPending, Forbidden
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party
from invoicing_core.persistence import approval_repository as requests
from invoicing_core.persistence import invoice_repository, user_repository
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.services.accounts import Principal
from invoicing_core.services.invoices import IssueRequest, LineInput


def issue_reasons(
    connection: Connection,
    company_id: int,
    rules: ApprovalRules,
    kind: InvoiceKind,
    total_with_tax: Decimal,
    buyer: Party,
    lines: Sequence[InvoiceLine],
) -> list[str]:
    """Why issuing this invoice would wait for approval under the rules (empty: it would not)."""
    new_buyer = not invoice_repository.has_invoiced(
        connection, company_id, buyer.name, buyer.tax_id
    )
    names = tuple(line.name for line in lines)
    subject = Subject(ApprovalAction.ISSUE, kind, total_with_tax, buyer.tax_id, new_buyer, names)
    return rules.reasons(subject)


def company_of(who: Principal) -> int:
    if who.company_id is None:
        raise Forbidden("该账号不属于任何企业，没有审批事项。")
    return who.company_id


def found(
    connection: Connection, company_id: int, request_id: int, *, lock: bool = False
) -> ApprovalRequest:
    found = requests.get(connection, request_id, lock=lock)
    if found is None or found.company_id != company_id:
        raise ApprovalNotFound("没有找到该审批申请。", field="id")
    return found


def requester_of(connection: Connection, request: ApprovalRequest) -> Principal:
    user = user_repository.named(connection, request.requested_by)
    if user is None or user.company_id != request.company_id:
        raise Forbidden("申请人已不属于本企业，不能按该申请开具。请驳回该申请。", field="id")
    return Principal(user.id, user.username, user.display_name, user.role, user.company_id)


def check_approvers(connection: Connection, company_id: int, rules: ApprovalRules) -> None:
    for index, level in enumerate(rules.levels):
        for position, username in enumerate(level.approvers):
            user = user_repository.named(connection, username)
            if user is None or user.company_id != company_id or user.role not in NAMEABLE_ROLES:
                raise UnknownApprover(
                    f"“{username}”不是本企业可担任审批人的用户（须为审批人、管理员或开票员）。",
                    field=f"levels[{index}].approvers[{position}]",
                )


def refuse_second_request(
    connection: Connection, company_id: int, number: str, now: datetime
) -> None:
    for waiting in requests.of_company(connection, company_id, ApprovalState.PENDING, now):
        if waiting.content.get("number") == number:
            raise ConfirmationPending(
                f"发票{number}已有待审批的申请（编号{waiting.id}），请等待审批结果或撤销后重新提交。",
                field="number",
            )


def subject_of(action: ApprovalAction, invoice: Invoice) -> Subject:
    return Subject(action, invoice.kind, invoice.total_with_tax, invoice.buyer.tax_id, False)


def request_json(request: IssueRequest) -> dict[str, Any]:
    return {
        "kind": request.kind.value,
        "buyer": dict(request.buyer),
        "lines": [{**asdict(line), **_as_text(line)} for line in request.lines],
        "remark": request.remark,
        "confirm_tax_id": request.confirm_tax_id,
    }


def _as_text(line: LineInput) -> dict[str, str]:
    # Decimal inputs are kept as the strings they read as (never floats).
    return {"quantity": str(line.quantity), "unit_price": str(line.unit_price)}


def issue_request_of(stored: dict[str, Any]) -> IssueRequest:
    return IssueRequest(
        kind=InvoiceKind(stored["kind"]),
        buyer=dict(stored["buyer"]),
        lines=[LineInput(**line) for line in stored["lines"]],
        remark=stored["remark"],
        confirm_tax_id=stored["confirm_tax_id"],
    )


def audit_step(
    connection: Connection,
    actor: str,
    move: str,
    request: ApprovalRequest,
    before: ApprovalRequest | None,
    now: datetime,
) -> None:
    after: dict[str, Any] = {
        "state": request.state.value,
        "action": request.action.value,
        "level": request.level,
        "requested_by": request.requested_by,
        "result": request.result,
    }
    if move == "request":
        after["reasons"] = list(request.reasons)
        after["quota_hold"] = str(request.quota_hold)
    if move == "reject":
        after["reason"] = request.decisions[-1].reason
    record(
        connection,
        AuditEntry(
            actor,
            audit_actions.APPROVAL + move,
            f"approval:{request.id}",
            now,
            request.company_id,
            {"state": before.state.value, "level": before.level} if before else None,
            after,
        ),
    )
