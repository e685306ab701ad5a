"""GET /api/v1/reports/summary over real invoices."""

import pytest
from fastapi.testclient import TestClient

from tests.integration.invoicing_core.conftest import Tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee


def test_the_month_summary_nets_red_letters_and_leaves_out_voided_money(
    app_client: TestClient, tenant: Tenant
) -> None:
    blue = issue(app_client, tenant, service_fee())
    issue(app_client, tenant, service_fee("digital_general"))
    app_client.post(
        f"/api/v1/invoices/{blue['number']}/red-letter", json={"reason": "1"}, headers=tenant.issuer
    )
    paper = issue(app_client, tenant, service_fee("paper_general"))
    app_client.post(
        f"/api/v1/invoices/{paper['number']}/void", json={"reason": "错"}, headers=tenant.issuer
    )

    response = app_client.get(
        "/api/v1/reports/summary", params={"period": "month"}, headers=tenant.viewer
    )

    assert response.status_code == 200, response.text
    summary = response.json()
    # Three live invoices (blue, general, red-letter) and one voided, counted apart.
    assert (summary["count"], summary["voided_count"]) == (3, 1)
    assert sum(row["count"] for row in summary["by_kind"]) == summary["count"]
    assert sum(row["count"] for row in summary["by_rate"]) == summary["count"]
    assert (summary["total_amount"], summary["total_tax"], summary["total_with_tax"]) == (
        "10000.00",
        "600.00",
        "10600.00",
    )
    # The red-letter invoice is a group of its own, not "已开具" with a negative sum.
    by_status = {row["key"]: (row["count"], row["total_with_tax"]) for row in summary["by_status"]}
    assert by_status == {
        "issued": (1, "10600.00"),
        "red_flushed": (1, "10600.00"),
        "red_letter": (1, "-10600.00"),
        "voided": (1, "0.00"),
    }
    by_rate = {row["key"]: row["total_with_tax"] for row in summary["by_rate"]}
    assert by_rate == {"6%": "10600.00"}
    labels = {
        row["key"]: row["label"] for part in ("by_kind", "by_status") for row in summary[part]
    }
    assert labels == {
        "digital_special": "数电发票（增值税专用发票）",
        "digital_general": "数电发票（普通发票）",
        "issued": "已开具",
        "red_flushed": "已红冲",
        "red_letter": "红字发票",
        "voided": "已作废",
    }


def test_a_year_long_ago_is_empty_and_a_bad_period_is_refused(
    app_client: TestClient, tenant: Tenant
) -> None:
    empty = app_client.get(
        "/api/v1/reports/summary",
        params={"period": "year", "date": "2001-06-01"},
        headers=tenant.viewer,
    ).json()
    assert (empty["count"], empty["total_with_tax"], empty["by_kind"]) == (0, "0.00", [])
    bad = app_client.get(
        "/api/v1/reports/summary", params={"period": "week"}, headers=tenant.viewer
    )
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "period")


@pytest.mark.parametrize(
    ("period", "day"),
    [
        ("year", "9999-01-01"),
        ("month", "9999-12-01"),
        ("month", "0001-01-01"),
        ("day", "9999-12-31"),
        ("day", "0001-01-01"),
        ("year", "1899-12-31"),
        ("day", "3000-01-01"),
    ],
)
def test_a_date_outside_the_supported_range_is_refused_not_a_server_error(
    app_client: TestClient, tenant: Tenant, period: str, day: str
) -> None:
    response = app_client.get(
        "/api/v1/reports/summary", params={"period": period, "date": day}, headers=tenant.viewer
    )

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("date_out_of_range", "date")
    assert "1900-01-01至2999-12-31" in error["message"]


@pytest.mark.parametrize(("period", "day"), [("day", "1900-01-01"), ("year", "2999-12-31")])
def test_the_first_and_last_supported_days_are_summarised(
    app_client: TestClient, tenant: Tenant, period: str, day: str
) -> None:
    response = app_client.get(
        "/api/v1/reports/summary", params={"period": period, "date": day}, headers=tenant.viewer
    )
    assert response.status_code == 200, response.text
    assert response.json()["count"] == 0
