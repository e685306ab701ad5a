"""The ledger under concurrent recording, and its export and monthly totals."""

import io
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.exc import IntegrityError

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.received_invoice import ReceiptState, ReceivedInvoice, StateChange
from invoicing_core.persistence import received_invoice_repository as ledger
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.received_invoice_repository import OriginalFile
from invoicing_core.services.received_invoice_export import HEADERS
from tests.integration.invoicing_core.company_users import add_user, log_in
from tests.integration.invoicing_core.conftest import Tenant, make_tenant, valid_tax_id
from tests.integration.invoicing_core.received_ledger import (
    buyer_of,
    document_of,
    issued_to,
    received,
    recognize,
    record,
    seller,
    stand_in_engine,
)

__all__ = ["seller", "stand_in_engine"]
pytestmark = pytest.mark.usefixtures("stand_in_engine")


def test_two_clerks_recording_one_invoice_at_once_record_it_once(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, seller: Tenant
) -> None:
    clerks = [
        log_in(app_client, add_user(core, tenant, role)) for role in (Role.ISSUER, Role.ADMIN)
    ]
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    ids = [recognize(app_client, headers, document)["id"] for headers in clerks]

    with ThreadPoolExecutor(2) as pool:
        responses = list(
            pool.map(lambda pair: record(app_client, *pair), zip(clerks, ids, strict=True))
        )

    assert sorted(response.status_code for response in responses) == [201, 409]
    refused = next(response for response in responses if response.status_code == 409)
    assert refused.json()["error"]["message"].startswith("该发票已于")
    listed = app_client.get("/api/v1/received-invoices", headers=tenant.viewer).json()
    assert listed["total"] == 1


def test_a_race_past_the_check_is_refused_by_the_constraint_with_the_same_message(
    app_client: TestClient,
    core: InvoicingCore,
    tenant: Tenant,
    seller: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    first, second = (recognize(app_client, tenant.issuer, document)["id"] for _ in range(2))
    assert record(app_client, tenant.issuer, first).status_code == 201
    looked_up, seen = ledger.same_invoice, list[bool]()

    def missing_once(*args: Any) -> Any:
        """The first look-up misses, as when the other clerk had not yet committed."""
        if not seen:
            seen.append(True)
            return None
        return looked_up(*args)

    monkeypatch.setattr(ledger, "same_invoice", missing_once)

    response = record(app_client, tenant.issuer, second)

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate_received_invoice"
    assert "该发票已于" in response.json()["error"]["message"]


def test_the_unique_constraint_holds_between_two_sessions(core: InvoicingCore) -> None:
    company_id = core.accounts.create_company(
        name="约束测试有限公司", tax_id=valid_tax_id(9_999_101), monthly_quota=Decimal(1)
    )
    invoice = ReceivedInvoice(
        kind=InvoiceKind.DIGITAL_GENERAL,
        code="",
        number="26421000000000777777",
        invoice_date=date(2026, 12, 1),
        seller_name="武汉供应商有限公司",
        seller_tax_id="91420106MA49X8Q2Y7",
        buyer_name=None,
        buyer_tax_id=None,
        amount=Decimal("100.00"),
        tax=Decimal("1.00"),
        total_with_tax=Decimal("101.00"),
    )
    step = StateChange(None, ReceiptState.RECORDED, "a", "甲", core.invoices.now())
    original = OriginalFile("a.pdf", "application/pdf", b"%PDF-")

    def add(entry: ReceivedInvoice) -> None:
        with begin_write(core.engine) as connection:
            ledger.add(connection, company_id, entry, {}, {}, original, step)

    add(invoice)
    with pytest.raises(IntegrityError):
        add(invoice)
    add(replace(invoice, kind=InvoiceKind.DIGITAL_SPECIAL))  # another kind is another invoice


def test_the_export_opens_in_a_spreadsheet_with_one_row_per_entry(
    app_client: TestClient, core: InvoicingCore, seller: Tenant
) -> None:
    tenant = make_tenant(app_client, core)
    entries = [
        received(app_client, seller, tenant),
        received(app_client, seller, tenant, "paper_general"),
    ]
    formula = document_of(
        issued_to(app_client, seller, buyer_of(tenant)), seller_name='=HYPERLINK("x")'
    )
    record(app_client, tenant.issuer, recognize(app_client, tenant.issuer, formula)["id"])

    response = app_client.get("/api/v1/received-invoices/export.xlsx", headers=tenant.viewer)

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADERS
    assert len(rows) == 4
    by_number = {row[2]: row for row in rows[1:]}
    paper = by_number[entries[1]["number"]]
    assert paper[1] == entries[1]["code"]
    assert paper[8:11] == (10000, 600, 10600)
    assert paper[11] == "已录入"
    assert rows[1][4] == '=HYPERLINK("x")'
    assert sheet.cell(2, 5).data_type == "s"
    only_paper = app_client.get(
        "/api/v1/received-invoices/export.xlsx",
        params={"kind": "paper_general"},
        headers=tenant.viewer,
    )
    paper_sheet = load_workbook(io.BytesIO(only_paper.content)).active
    assert paper_sheet is not None and paper_sheet.max_row == 2


def test_the_months_received_tax_is_summed_by_kind_leaving_out_rejected_invoices(
    app_client: TestClient, core: InvoicingCore, seller: Tenant
) -> None:
    tenant = make_tenant(app_client, core)
    received(app_client, seller, tenant)
    received(app_client, seller, tenant)
    general = received(app_client, seller, tenant, "digital_general")
    rejected = received(app_client, seller, tenant, "paper_special")
    app_client.post(
        f"/api/v1/received-invoices/{rejected['id']}/state",
        json={"state": "rejected"},
        headers=tenant.issuer,
    )
    month = general["date"][:7]

    response = app_client.get(
        "/api/v1/received-invoices/summary", params={"month": month}, headers=tenant.viewer
    )

    assert response.status_code == 200, response.text
    summary = response.json()
    assert (summary["month"], summary["count"]) == (month, 3)
    assert (summary["tax"], summary["special_tax"]) == ("1800.00", "1200.00")
    by_kind = {item["kind"]: item for item in summary["by_kind"]}
    assert set(by_kind) == {"digital_special", "digital_general"}
    special = by_kind["digital_special"]
    assert (special["count"], special["amount"], special["tax"], special["total_with_tax"]) == (
        2,
        "20000.00",
        "1200.00",
        "21200.00",
    )
    assert special["deductible"] and not by_kind["digital_general"]["deductible"]
    empty = app_client.get(
        "/api/v1/received-invoices/summary", params={"month": "2001-02"}, headers=tenant.viewer
    )
    assert empty.json() == {
        "month": "2001-02",
        "count": 0,
        "tax": "0.00",
        "special_tax": "0.00",
        "by_kind": [],
    }
    bad = app_client.get(
        "/api/v1/received-invoices/summary", params={"month": "2026-13"}, headers=tenant.viewer
    )
    assert bad.status_code == 422


def test_the_service_sums_money_as_decimal(
    app_client: TestClient, core: InvoicingCore, seller: Tenant
) -> None:
    tenant = make_tenant(app_client, core)
    entry = received(app_client, seller, tenant)
    who = core.accounts.authenticate(tenant.viewer["Authorization"].removeprefix("Bearer "))
    first = date.fromisoformat(entry["date"]).replace(day=1)

    totals = core.received_invoices.month_totals(who, first)

    assert totals.tax == Decimal("600.00") and isinstance(totals.tax, Decimal)
    assert [t.total_with_tax for t in totals.by_kind] == [Decimal("10600.00")]
