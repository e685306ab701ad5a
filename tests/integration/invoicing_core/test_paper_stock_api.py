"""Paper invoice stock: recording rolls, what is left, overlaps refused, low stock alerted."""

from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.demo import DEMO_PAPER_ROLLS, seed_demo, seed_demo_paper_stock
from invoicing_core.domain.account import Role
from tests.integration.invoicing_core.company_users import add_user, log_in
from tests.integration.invoicing_core.conftest import Tenant
from tests.integration.invoicing_core.test_alerts_api import alerts_of
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee

STOCK = "/api/v1/paper-stock"


def left_of(client: TestClient, headers: dict[str, str]) -> dict[str, int]:
    response = client.get(STOCK, headers=headers)
    assert response.status_code == 200, response.text
    return {item["kind"]: item["left"] for item in response.json()["items"]}


def test_issuing_takes_from_the_stock_and_an_admin_records_a_new_roll(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    admin = log_in(app_client, add_user(core, tenant, Role.ADMIN))
    issue(app_client, tenant, service_fee(kind="paper_special"))
    assert left_of(app_client, tenant.viewer) == {"paper_special": 49, "paper_general": 50}

    code = f"42009{tenant.company_id % 100000:05d}"
    roll = {"kind": "paper_special", "code": code, "first": 1001, "count": 100}
    added = app_client.post(STOCK, json=roll, headers=admin)
    assert added.status_code == 201, added.text
    assert left_of(app_client, tenant.viewer)["paper_special"] == 149

    overlapping = app_client.post(STOCK, json={**roll, "first": 1100, "count": 5}, headers=admin)
    assert (overlapping.status_code, overlapping.json()["error"]["field"]) == (422, "first")
    assert "重叠" in overlapping.json()["error"]["message"]
    assert left_of(app_client, tenant.viewer)["paper_special"] == 149


def test_an_overlap_with_another_companys_roll_does_not_reveal_its_numbers(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    from tests.integration.invoicing_core.conftest import make_tenant

    own = log_in(app_client, add_user(core, tenant, Role.ADMIN))
    other = log_in(app_client, add_user(core, make_tenant(app_client, core), Role.ADMIN))
    code = f"42008{tenant.company_id % 100000:05d}"
    roll = {"kind": "paper_general", "code": code, "first": 1001, "count": 100}
    assert app_client.post(STOCK, json=roll, headers=own).status_code == 201

    probe = app_client.post(STOCK, json={**roll, "first": 1050, "count": 1}, headers=other)
    again = app_client.post(STOCK, json={**roll, "first": 1050, "count": 1}, headers=own)

    assert (probe.status_code, probe.json()["error"]["field"]) == (422, "first")
    assert "重叠" in probe.json()["error"]["message"]
    assert "00001001" not in probe.text and "00001100" not in probe.text
    assert "00001001–00001100" in again.json()["error"]["message"]


def test_only_admins_record_rolls_and_only_of_paper_kinds(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    admin = log_in(app_client, add_user(core, tenant, Role.ADMIN))
    roll = {"kind": "paper_general", "code": "042009000001", "first": 1, "count": 10}
    issuer = app_client.post(STOCK, json=roll, headers=tenant.issuer)
    assert (issuer.status_code, issuer.json()["error"]["code"]) == (403, "forbidden")
    for change, field in (
        ({"kind": "digital_general"}, "kind"),
        ({"code": "12345"}, "code"),
        ({"count": 0}, "count"),
        ({"first": -1}, "first"),
    ):
        refused = app_client.post(STOCK, json={**roll, **change}, headers=admin)
        assert (refused.status_code, refused.json()["error"]["field"]) == (422, field)
    assert left_of(app_client, tenant.viewer)["paper_general"] == 50


def test_low_paper_stock_raises_an_alert_for_the_admin(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    admin = log_in(app_client, add_user(core, tenant, Role.ADMIN))
    for _ in range(40):
        issue(app_client, tenant, service_fee(kind="paper_general"))

    [alert] = alerts_of(app_client, admin)["paper_stock_low"]
    assert (alert["severity"], alert["targets"]) == ("warning", ["paper_general"])
    assert "仅剩10份" in alert["message"]


def test_the_demo_company_gets_its_paper_rolls_once(
    core: InvoicingCore,
) -> None:
    seed_demo(core.accounts)
    seed_demo_paper_stock(core.accounts, core.engine)
    assert seed_demo_paper_stock(core.accounts, core.engine) == []
    demo = core.accounts.principal_of("demo")
    assert set(core.paper_stock.left(demo)) == set(DEMO_PAPER_ROLLS)
