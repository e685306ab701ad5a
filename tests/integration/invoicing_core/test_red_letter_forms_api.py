"""Red-letter confirmation forms between two companies of the system, over the API."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from invoicing_core import InvoicingCore
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.persistence.tables import audit_log, red_letter_forms
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee

PARTIAL = {"reason": "4", "lines": [{"line_no": 1, "amount": "1000"}]}


def sold_to(app_client: TestClient, seller: Tenant, buyer: Tenant) -> dict[str, Any]:
    """A blue digital special invoice of 10600 (6% included) from seller to buyer."""
    body = service_fee(buyer={"name": "武汉买方测试有限公司", "tax_id": buyer.tax_id})
    return issue(app_client, seller, body)


def partial_red_letter(
    app_client: TestClient, seller: Tenant, blue: dict[str, Any]
) -> dict[str, Any]:
    response = app_client.post(
        f"/api/v1/invoices/{blue['number']}/red-letter", json=PARTIAL, headers=seller.issuer
    )
    assert response.status_code == 202, response.text
    return dict(response.json())


def move(client: TestClient, form: dict[str, Any], action: str, who: dict[str, str]) -> Any:
    return client.post(f"/api/v1/red-letter-forms/{form['id']}/{action}", headers=who)


def test_a_partial_red_letter_waits_for_the_buyer_and_confirming_issues_it(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    buyer = make_tenant(app_client, core)
    blue = sold_to(app_client, tenant, buyer)

    form = partial_red_letter(app_client, tenant, blue)
    assert (form["state"], form["state_label"]) == ("02", "销方录入待购方确认")
    assert (form["your_side"], form["awaiting_you"], form["red_number"]) == ("seller", False, None)
    waiting = app_client.get(
        "/api/v1/red-letter-forms", params={"state": "02"}, headers=buyer.viewer
    ).json()
    assert [(item["id"], item["awaiting_you"]) for item in waiting["items"]] == [(form["id"], True)]

    confirmed = move(app_client, form, "confirm", buyer.issuer)
    assert confirmed.status_code == 200, confirmed.text
    red = confirmed.json()["red_invoice"]
    assert (red["red_of"], red["total_amount"], red["total_tax"]) == (
        blue["number"],
        "-1000.00",
        "-60.00",
    )
    assert confirmed.json()["form"]["state"] == "04"
    assert confirmed.json()["form"]["red_number"] == red["number"]
    seller_view = app_client.get(f"/api/v1/invoices/{blue['number']}", headers=tenant.viewer)
    assert seller_view.json()["status"] == "partly_red_flushed"
    own = app_client.get(f"/api/v1/invoices/{red['number']}", headers=tenant.viewer).json()
    assert own["total_with_tax"] == "-1060.00"

    withdrawn = move(app_client, form, "withdraw", tenant.issuer)
    assert (withdrawn.status_code, withdrawn.json()["error"]["code"]) == (
        409,
        "confirmation_not_allowed",
    )
    assert verify_chain(core.engine).intact


def test_a_denied_form_issues_nothing_and_frees_the_invoice_for_a_new_form(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    buyer = make_tenant(app_client, core)
    blue = sold_to(app_client, tenant, buyer)
    form = partial_red_letter(app_client, tenant, blue)

    second = app_client.post(
        f"/api/v1/invoices/{blue['number']}/red-letter", json=PARTIAL, headers=tenant.issuer
    )
    assert (second.status_code, second.json()["error"]["code"]) == (409, "confirmation_pending")

    denied = move(app_client, form, "deny", buyer.issuer)
    assert denied.status_code == 200, denied.text
    assert (denied.json()["form"]["state"], denied.json()["red_invoice"]) == ("05", None)
    status = app_client.get(f"/api/v1/invoices/{blue['number']}", headers=tenant.viewer)
    assert status.json()["status"] == "issued"
    assert partial_red_letter(app_client, tenant, blue)["state"] == "02"


def test_only_the_other_party_may_answer_and_only_with_an_issuing_role(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    buyer = make_tenant(app_client, core)
    form = partial_red_letter(app_client, tenant, sold_to(app_client, tenant, buyer))

    own = move(app_client, form, "confirm", tenant.issuer)
    assert (own.status_code, own.json()["error"]["code"]) == (409, "confirmation_not_allowed")
    viewer = move(app_client, form, "confirm", buyer.viewer)
    assert (viewer.status_code, viewer.json()["error"]["code"]) == (403, "forbidden")
    stranger = make_tenant(app_client, core)
    for response in (
        move(app_client, form, "confirm", stranger.issuer),
        app_client.get(f"/api/v1/red-letter-forms/{form['id']}", headers=stranger.viewer),
    ):
        assert (response.status_code, response.json()["error"]["code"]) == (
            404,
            "red_letter_form_not_found",
        )
    unchanged = app_client.get(f"/api/v1/red-letter-forms/{form['id']}", headers=tenant.viewer)
    assert unchanged.json()["state"] == "02"


def test_a_form_nobody_answers_lapses_after_72_hours(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    buyer = make_tenant(app_client, core)
    form = partial_red_letter(app_client, tenant, sold_to(app_client, tenant, buyer))
    with core.engine.begin() as connection:
        entered = connection.execute(
            select(red_letter_forms.c.entered_at).where(red_letter_forms.c.id == form["id"])
        ).scalar_one()
        connection.execute(
            update(red_letter_forms)
            .where(red_letter_forms.c.id == form["id"])
            .values(entered_at=entered - timedelta(hours=72, seconds=1))
        )

    seen = app_client.get(f"/api/v1/red-letter-forms/{form['id']}", headers=buyer.viewer).json()
    assert (seen["state"], seen["awaiting_you"]) == ("07", False)
    lapsed = app_client.get(
        "/api/v1/red-letter-forms", params={"state": "07"}, headers=tenant.viewer
    ).json()
    assert form["id"] in [item["id"] for item in lapsed["items"]]
    late = move(app_client, form, "confirm", buyer.issuer)
    assert (late.status_code, late.json()["error"]["code"]) == (409, "confirmation_not_allowed")
    assert "72小时" in late.json()["error"]["message"]


def test_the_buyer_may_enter_a_form_that_the_seller_confirms(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    buyer = make_tenant(app_client, core)
    blue = sold_to(app_client, tenant, buyer)

    entered = app_client.post(
        "/api/v1/red-letter-forms",
        json={"number": blue["number"], "reason": "销货退回"},
        headers=buyer.issuer,
    )
    assert entered.status_code == 201, entered.text
    form = entered.json()["form"]
    assert (form["state"], form["initiator"]) == ("03", "buyer")
    assert entered.json()["red_invoice"] is None
    # The invoice endpoints stay the seller's own: the buyer goes through the forms.
    hidden = app_client.post(
        f"/api/v1/invoices/{blue['number']}/red-letter", json=PARTIAL, headers=buyer.issuer
    )
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "invoice_not_found")

    confirmed = move(app_client, form, "confirm", tenant.issuer).json()
    assert confirmed["red_invoice"]["total_with_tax"] == "-10600.00"
    status = app_client.get(f"/api/v1/invoices/{blue['number']}", headers=tenant.viewer)
    assert status.json()["status"] == "red_flushed"


def test_a_full_red_letter_needs_no_confirmation_and_is_recorded_on_a_form(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    blue = issue(app_client, tenant, service_fee())
    entered = app_client.post(
        "/api/v1/red-letter-forms",
        json={"number": blue["number"], "reason": "1"},
        headers=tenant.issuer,
    )
    assert entered.status_code == 201, entered.text
    outcome = entered.json()
    assert outcome["form"]["state"] == "01"
    assert outcome["form"]["red_number"] == outcome["red_invoice"]["number"]
    with core.engine.connect() as connection:
        actions = connection.execute(
            select(audit_log.c.action).where(
                audit_log.c.target == f"red_letter_form:{outcome['form']['id']}"
            )
        ).scalars()
        assert list(actions) == ["red_letter_form.enter"]


def test_strangers_cannot_enter_forms_for_other_companies_invoices(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    blue = issue(app_client, tenant, service_fee())
    stranger = make_tenant(app_client, core)
    response = app_client.post(
        "/api/v1/red-letter-forms",
        json={"number": blue["number"], "reason": "1"},
        headers=stranger.issuer,
    )
    assert (response.status_code, response.json()["error"]["code"]) == (404, "invoice_not_found")
    for bad in ({"number": blue["number"], "reason": "9"}, {"number": "abc", "reason": "1"}):
        refused = app_client.post("/api/v1/red-letter-forms", json=bad, headers=tenant.issuer)
        assert refused.status_code == 422
        assert refused.json()["error"]["field"]
    for path in ("/api/v1/red-letter-forms/0", "/api/v1/red-letter-forms/99999999999"):
        assert app_client.get(path, headers=tenant.viewer).status_code == 422
