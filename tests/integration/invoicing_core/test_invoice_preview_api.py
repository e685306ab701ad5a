"""POST /invoices/preview: what an issue would give, checked by every rule; nothing written."""

from decimal import Decimal

from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from tests.integration.invoicing_core.company_users import log_in
from tests.integration.invoicing_core.conftest import PASSWORD, Tenant, make_tenant, valid_tax_id
from tests.integration.invoicing_core.test_invoice_api import invoice_count, service_fee

PREVIEW = "/api/v1/invoices/preview"


def test_a_preview_shows_tax_and_the_uppercase_total_and_issues_nothing(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    before = invoice_count(core)
    response = app_client.post(PREVIEW, json=service_fee(), headers=tenant.issuer)

    assert response.status_code == 200, response.text
    preview = response.json()
    assert (preview["total_amount"], preview["total_tax"], preview["total_with_tax"]) == (
        "10000.00",
        "600.00",
        "10600.00",
    )
    assert preview["total_with_tax_upper"] == "壹万零陆佰圆整"
    assert "number" not in preview and "status" not in preview
    assert invoice_count(core) == before
    issued = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.issuer).json()
    assert issued["total_with_tax_upper"] == preview["total_with_tax_upper"]


def test_a_preview_refuses_what_issuing_would_refuse(
    app_client: TestClient, core: InvoicingCore
) -> None:
    small = make_tenant(app_client, core, quota="5000")
    over = app_client.post(PREVIEW, json=service_fee(), headers=small.issuer)
    assert (over.status_code, over.json()["error"]["code"]) == (409, "quota_exceeded")
    bad_rate = service_fee()
    bad_rate["lines"][0]["tax_rate"] = "7%"
    refused = app_client.post(PREVIEW, json=bad_rate, headers=small.issuer)
    assert (refused.status_code, refused.json()["error"]["field"]) == (422, "lines[0].tax_rate")
    viewer = app_client.post(PREVIEW, json=service_fee(), headers=small.viewer)
    assert viewer.status_code == 403


def test_a_paper_preview_needs_paper_in_stock(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    paper = app_client.post(PREVIEW, json=service_fee(kind="paper_special"), headers=tenant.issuer)
    assert paper.status_code == 200, paper.text
    company = core.accounts.create_company(
        name="武汉无纸票有限公司", tax_id=valid_tax_id(990001), monthly_quota=Decimal(100000)
    )
    core.accounts.create_user(
        username="no-paper", password=PASSWORD, role=Role.ISSUER, company_id=company
    )
    headers = log_in(app_client, "no-paper")
    empty = app_client.post(PREVIEW, json=service_fee(kind="paper_special"), headers=headers)
    assert (empty.status_code, empty.json()["error"]["code"]) == (409, "out_of_paper_stock")
