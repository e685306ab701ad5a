"""The monthly quota counter follows issuing, batches and voids, and refuses overdrafts."""

from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from invoicing_core import InvoicingCore
from invoicing_core.persistence import upgrade_schema
from invoicing_core.persistence.migrations import downgrade
from invoicing_core.persistence.tables import invoices, quota_usage
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.test_batch_and_pdf_api import (
    batch_file,
    invoice,
    line,
    upload,
)
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee


def counted(engine: Engine, company_id: int) -> Decimal:
    with engine.connect() as connection:
        used = connection.execute(
            select(func.coalesce(func.sum(quota_usage.c.used), 0)).where(
                quota_usage.c.company_id == company_id
            )
        ).scalar_one()
    return Decimal(used)


def summed(engine: Engine, company_id: int) -> Decimal:
    """The quota used, recomputed from the invoices: blue, unvoided, tax-exclusive."""
    with engine.connect() as connection:
        total = connection.execute(
            select(func.coalesce(func.sum(invoices.c.total_amount), 0)).where(
                invoices.c.company_id == company_id,
                invoices.c.red_of.is_(None),
                invoices.c.status != "voided",
            )
        ).scalar_one()
    return Decimal(total)


def test_the_counter_matches_the_invoices_after_issue_batch_void_and_red_letter(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    digital = issue(app_client, tenant, service_fee())
    paper = issue(app_client, tenant, service_fee(kind="paper_special"))
    upload(app_client, tenant, batch_file([invoice("Q1")], [line("Q1")]))
    assert counted(core.engine, tenant.company_id) == Decimal("20100.00")

    voided = app_client.post(
        f"/api/v1/invoices/{paper['number']}/void", json={"reason": "开错"}, headers=tenant.issuer
    )
    assert voided.status_code == 200, voided.text
    red = app_client.post(
        f"/api/v1/invoices/{digital['number']}/red-letter",
        json={"reason": "1"},
        headers=tenant.issuer,
    )
    assert red.status_code == 201, red.text
    # A red-letter invoice gives no quota back (see domain/quota.py); a void does.
    assert counted(core.engine, tenant.company_id) == Decimal("10100.00")
    assert counted(core.engine, tenant.company_id) == summed(core.engine, tenant.company_id)


def test_the_quota_refuses_the_invoice_that_would_pass_it(
    app_client: TestClient, core: InvoicingCore
) -> None:
    tenant = make_tenant(app_client, core, quota="15000")
    issue(app_client, tenant, service_fee())
    refused = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.issuer)
    assert (refused.status_code, refused.json()["error"]["code"]) == (409, "quota_exceeded")
    assert "5000.00" in refused.json()["error"]["message"]
    assert counted(core.engine, tenant.company_id) == Decimal("10000.00")


def test_the_migration_fills_the_counter_from_invoices_already_issued(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    issue(app_client, tenant, service_fee())
    issue(app_client, tenant, service_fee(kind="digital_general"))
    downgrade(core.engine, "core0004")
    upgrade_schema(core.engine)

    assert counted(core.engine, tenant.company_id) == Decimal("20000.00")
    assert counted(core.engine, tenant.company_id) == summed(core.engine, tenant.company_id)
