"""A batch the approval rules hold back is approved as one: one request freezing all its
invoices and holding their quota; approval issues them all, rejection or cancel none."""

from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.batch import columns as C
from invoicing_core.persistence.audit import verify_chain
from tests.integration.invoicing_core.company_users import audit_trail
from tests.integration.invoicing_core.test_approvals_api import (
    Company,
    company,
    decide,
    set_rules,
    used,
)
from tests.integration.invoicing_core.test_batch_and_pdf_api import batch_file, invoice, line
from tests.integration.invoicing_core.test_invoice_api import invoice_count

BATCH = "/api/v1/invoices/batch"


def two_invoices(first: str, second: str) -> dict[str, tuple[str, bytes, str]]:
    """A batch of 113.00 (100.00 + 13.00 tax) under `first` and 22.60 under `second`."""
    small = line(second, **{C.UNIT_PRICE: "10"})
    content = batch_file([invoice(first), invoice(second)], [line(first), small])
    return {"file": ("b.xlsx", content, "application/x")}


def held(
    client: TestClient, firm: Company, files: dict[str, tuple[str, bytes, str]]
) -> dict[str, Any]:
    response = client.post(BATCH, files=files, headers=firm.tenant.issuer)
    assert response.status_code == 202, response.text
    return dict(response.json())


def test_a_held_batch_becomes_one_request_and_approval_issues_all_as_the_requester(
    app_client: TestClient, core: InvoicingCore
) -> None:
    firm = company(app_client, core, approvers=1)
    set_rules(app_client, firm, min_total_with_tax="100")  # 113.00 reaches it, 22.60 not
    files = two_invoices("BA1", "BA2")
    before, used_before = invoice_count(core), used(core, firm)

    preview = app_client.post(f"{BATCH}/preview", files=files, headers=firm.tenant.issuer).json()
    asked = held(app_client, firm, files)

    assert preview["refusal"] is None and len(preview["held_for_approval"]) == 1
    assert (asked["action"], asked["state"], asked["quota_hold"]) == ("batch", "pending", "120.00")
    assert asked["reasons"] == preview["held_for_approval"]
    assert "流水号BA1" in asked["reasons"][0] and "BA2" not in asked["reasons"][0]
    frozen = asked["content"]
    assert (frozen["count"], frozen["total_with_tax"]) == (2, "135.60")
    assert [(i["serial"], i["total_with_tax"]) for i in frozen["invoices"]] == [
        ("BA1", "113.00"),
        ("BA2", "22.60"),
    ]
    assert invoice_count(core) == before
    assert used(core, firm) == used_before + Decimal("120.00")
    again = app_client.post(BATCH, files=files, headers=firm.tenant.issuer)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "confirmation_pending")

    approved = decide(app_client, firm.approver, asked["id"], "approve")

    assert approved.status_code == 200, approved.text
    outcome = approved.json()
    numbers = outcome["batch"]["numbers"]
    assert (outcome["batch"]["accepted"], len(numbers)) == (2, 2)
    assert outcome["approval"]["result"] == numbers[0]
    assert invoice_count(core) == before + 2
    assert used(core, firm) == used_before + Decimal("120.00")  # the hold became the invoices
    requester = core.accounts.principal_of(firm.issuer_name)
    assert [core.invoices.get(requester, n).issued_by for n in numbers] == [firm.issuer_name] * 2
    repeated = app_client.post(BATCH, files=files, headers=firm.tenant.issuer).json()
    assert (repeated["accepted"], len(repeated["rejected"])) == (0, 2)
    trail = [entry["action"] for entry in audit_trail(core, f"approval:{asked['id']}")]
    assert trail == ["approval.request", "approval.approve"]
    assert verify_chain(core.engine).intact


def test_a_rejected_or_cancelled_batch_issues_none_and_releases_its_quota(
    app_client: TestClient, core: InvoicingCore
) -> None:
    firm = company(app_client, core, quota="300", approvers=1)
    set_rules(app_client, firm, items=["办公用品"])
    before = invoice_count(core)
    first = held(app_client, firm, two_invoices("BR1", "BR2"))
    second = held(app_client, firm, two_invoices("BR3", "BR4"))
    assert used(core, firm) == Decimal("240.00")
    over = app_client.post(BATCH, files=two_invoices("BR5", "BR6"), headers=firm.tenant.issuer)
    assert (over.status_code, over.json()["error"]["code"]) == (409, "quota_exceeded")

    rejected = decide(app_client, firm.approver, first["id"], "reject", reason="客户未签合同")
    cancelled = decide(app_client, firm.tenant.issuer, second["id"], "cancel")

    assert rejected.json()["approval"]["state"] == "rejected" and rejected.json()["batch"] is None
    assert cancelled.json()["approval"]["state"] == "cancelled"
    assert invoice_count(core) == before
    assert used(core, firm) == Decimal("0")
    late = decide(app_client, firm.approver, first["id"], "approve")
    assert late.json()["error"]["code"] == "approval_not_pending"
    assert invoice_count(core) == before
    # The same serials may be asked for again once their request has ended.
    assert held(app_client, firm, two_invoices("BR1", "BR2"))["state"] == "pending"
