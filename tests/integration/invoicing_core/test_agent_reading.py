"""An agent serving a customer reads that customer's invoices and changes nothing."""

import pytest
from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.errors import Forbidden
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.persistence.invoice_repository import InvoiceFilter
from invoicing_core.services.invoices import IssueRequest
from tests.integration.invoicing_core.company_users import add_user
from tests.integration.invoicing_core.conftest import Tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee


def test_an_agent_serving_a_customer_reads_but_cannot_change_their_invoices(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    blue = issue(app_client, tenant, service_fee())
    customer = core.accounts.principal_of(add_user(core, tenant, Role.VIEWER))
    agent = core.accounts.principal_of(add_user(core, None, Role.AGENT))

    with pytest.raises(Forbidden):
        core.invoices.get(agent, blue["number"])
    serving = agent.serving(customer)
    assert core.invoices.get(serving, blue["number"]).identifier == blue["number"]
    assert core.invoices.search(serving, InvoiceFilter(), 1, 5).total >= 1
    with pytest.raises(Forbidden):
        core.invoices.void(serving, blue["number"], "客服不能作废")
    request = IssueRequest(kind=InvoiceKind.DIGITAL_GENERAL, buyer={"name": "客服代开"}, lines=[])
    with pytest.raises(Forbidden):
        core.invoices.issue(serving, request)


def test_only_agents_may_serve_a_customer(core: InvoicingCore, tenant: Tenant) -> None:
    viewer = core.accounts.principal_of(add_user(core, tenant, Role.VIEWER))
    with pytest.raises(Forbidden):
        viewer.serving(viewer)
