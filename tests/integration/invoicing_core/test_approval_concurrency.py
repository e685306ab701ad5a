"""Approval requests asked at the same moment queue for the quota as issuers do: two
requests that together pass the quota are never both held (PostgreSQL runs them truly at
once; SQLite serialises writers anyway)."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from threading import Barrier

from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.api.schemas import IssueIn
from invoicing_core.domain.errors import QuotaExceeded
from invoicing_core.services.approval_outcomes import ApprovalView
from tests.integration.invoicing_core.test_approvals_api import company, set_rules, used
from tests.integration.invoicing_core.test_invoice_api import service_fee

AT_ONCE = 4


def test_requests_asked_at_once_hold_no_more_than_the_quota(
    app_client: TestClient, core: InvoicingCore
) -> None:
    firm = company(app_client, core, quota="15000", approvers=1)  # one 10000.00 fits
    set_rules(app_client, firm, min_total_with_tax="1")
    requester = core.accounts.principal_of(firm.issuer_name)
    request = IssueIn.model_validate(service_fee()).to_request()
    start = Barrier(AT_ONCE)

    def ask() -> str:
        start.wait()
        try:
            outcome = core.approvals.issue(requester, request)
        except QuotaExceeded:
            return "refused"
        return "held" if isinstance(outcome, ApprovalView) else "issued"

    with ThreadPoolExecutor(max_workers=AT_ONCE) as pool:
        answers = sorted(pool.map(lambda _: ask(), range(AT_ONCE)))

    assert answers == ["held", *["refused"] * (AT_ONCE - 1)]
    assert used(core, firm) == Decimal("10000.00")
