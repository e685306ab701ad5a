"""A batch the approval rules hold back is approved as one: the batch becomes one
approval request (action `batch`) freezing its invoices as previewed and holding the quota
of them all; the final approval issues them all as the requester in one transaction
(services/batch_issuing.py `issue_drafts`), and a rejection, cancel or lapse issues none."""

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from invoicing_core.batch import InvoiceDraft
from invoicing_core.domain.approval import ApprovalAction, ApprovalRules
from invoicing_core.domain.approval_request import (
    ApprovalContentChanged,
    ApprovalRequest,
    ApprovalState,
    invoice_content,
    open_request,
)
from invoicing_core.domain.errors import ConfirmationPending
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money
from invoicing_core.domain.party import Party
from invoicing_core.domain.quota import quota_charge
from invoicing_core.domain.tax_rate import TaxRate
from invoicing_core.persistence import approval_repository as requests
from invoicing_core.persistence.company_repository import Company
from invoicing_core.persistence.quota_usage import month_key
from invoicing_core.services.accounts import Principal
from invoicing_core.services.approval_steps import audit_step, issue_reasons
from invoicing_core.services.invoices import placeholder_number, seller_of

# How many held-back rows the reasons of a batch request name one by one.
MAX_HELD_SHOWN = 10


def held_rows(
    connection: Connection,
    company_id: int,
    rules: ApprovalRules | None,
    drafts: Sequence[InvoiceDraft],
) -> list[str]:
    """Each invoice of the batch the rules hold back, with why ("第3行（流水号A1）：…")."""
    if rules is None or not rules.any_condition:
        return []
    held = []
    for draft in drafts:
        reasons = issue_reasons(
            connection,
            company_id,
            rules,
            draft.kind,
            draft.total_with_tax,
            draft.buyer,
            draft.lines,
        )
        if reasons:
            held.append(f"第{draft.row}行（流水号{draft.serial}）：{'，'.join(reasons)}")
    return held


def batch_reasons(held: Sequence[str]) -> list[str]:
    """The request's reasons: the first held rows, and how many more there are."""
    shown = list(held[:MAX_HELD_SHOWN])
    if len(held) > MAX_HELD_SHOWN:
        shown.append(f"等共{len(held)}张发票须经审批")
    return shown


def hold_batch(
    connection: Connection,
    who: Principal,
    company: Company,
    rules: ApprovalRules,
    drafts: Sequence[InvoiceDraft],
    held: Sequence[str],
    now: datetime,
) -> ApprovalRequest:
    """The batch as one approval request, its invoices frozen as previewed, holding the quota
    they would charge (checked by the caller); refused while its serials already wait."""
    _refuse_serials_waiting(connection, company.id, drafts, now)
    seller = seller_of(company)
    previews = [_preview(draft, seller, who.username, now) for draft in drafts]
    total = sum((invoice.total_with_tax for invoice in previews), Decimal(0))
    content = {
        "count": len(drafts),
        "total_with_tax": format_money(total),
        "invoices": [
            {"serial": draft.serial, "sheet": draft.sheet, "row": draft.row, **invoice_content(p)}
            for draft, p in zip(drafts, previews, strict=True)
        ],
        "drafts": [_draft_json(draft) for draft in drafts],
    }
    asked = open_request(
        company_id=company.id,
        action=ApprovalAction.BATCH,
        requested_by=who.username,
        rules=rules,
        reasons=batch_reasons(held),
        content=content,
        quota_hold=sum((quota_charge(invoice) for invoice in previews), Decimal(0)),
        now=now,
    )
    stored = requests.add(connection, asked, month_key(now), None)
    audit_step(connection, who.username, "request", stored, None, now)
    return stored


def drafts_of(content: dict[str, Any]) -> list[InvoiceDraft]:
    """The batch's invoices as frozen in its request, to be issued exactly so."""
    return [_draft(stored) for stored in content["drafts"]]


def ensure_unissued(serials_issued: dict[str, str]) -> None:
    """Refuse the approval when a serial of the batch was issued meanwhile: all or none."""
    if serials_issued:
        shown = "、".join(
            f"{key.removeprefix('batch:')}（{number}）" for key, number in serials_issued.items()
        )
        raise ApprovalContentChanged(
            f"本批中的流水号{shown}此后已另行开具，整批未开具。请驳回或撤销后重新提交。",
            field="id",
        )


def _refuse_serials_waiting(
    connection: Connection, company_id: int, drafts: Sequence[InvoiceDraft], now: datetime
) -> None:
    serials = {draft.serial for draft in drafts}
    for waiting in requests.of_company(connection, company_id, ApprovalState.PENDING, now):
        if waiting.action is not ApprovalAction.BATCH:
            continue
        again = sorted(serials & {row["serial"] for row in waiting.content["drafts"]})
        if again:
            raise ConfirmationPending(
                f"流水号{'、'.join(again[:MAX_HELD_SHOWN])}已在待审批的批量开票申请"
                f"（编号{waiting.id}）中，请等待审批结果或撤销后重新提交。",
                field="file",
            )


def _preview(draft: InvoiceDraft, seller: Party, by: str, now: datetime) -> Invoice:
    number, code = placeholder_number(draft.kind, now)
    return Invoice(
        number=number,
        code=code,
        kind=draft.kind,
        seller=seller,
        buyer=draft.buyer,
        lines=draft.lines,
        issued_at=now,
        issued_by=by,
        remark=draft.remark,
    )


def _draft_json(draft: InvoiceDraft) -> dict[str, Any]:
    # Decimals are kept as the strings they read as (never floats).
    return {
        "serial": draft.serial,
        "kind": draft.kind.value,
        "buyer": asdict(draft.buyer),
        "lines": [
            {
                "name": line.name,
                "amount": str(line.amount),
                "tax_rate": line.tax_rate.value,
                "tax": str(line.tax),
                "quantity": None if line.quantity is None else str(line.quantity),
                "unit_price": None if line.unit_price is None else str(line.unit_price),
                "tax_code": line.tax_code,
                "spec": line.spec,
                "unit": line.unit,
            }
            for line in draft.lines
        ],
        "remark": draft.remark,
        "sheet": draft.sheet,
        "row": draft.row,
    }


def _draft(stored: dict[str, Any]) -> InvoiceDraft:
    return InvoiceDraft(
        serial=stored["serial"],
        kind=InvoiceKind(stored["kind"]),
        buyer=Party(**stored["buyer"]),
        lines=tuple(
            InvoiceLine(
                name=line["name"],
                amount=Decimal(line["amount"]),
                tax_rate=TaxRate(line["tax_rate"]),
                tax=Decimal(line["tax"]),
                quantity=None if line["quantity"] is None else Decimal(line["quantity"]),
                unit_price=None if line["unit_price"] is None else Decimal(line["unit_price"]),
                tax_code=line["tax_code"],
                spec=line["spec"],
                unit=line["unit"],
            )
            for line in stored["lines"]
        ),
        remark=stored["remark"],
        sheet=stored["sheet"],
        row=stored["row"],
    )
