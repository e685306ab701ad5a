"""The buyer's 用途确认 over the API: only the buyer's company finds the invoice, confirms it
once, and the confirmation decides whether a full red-letter waits for the buyer."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.persistence.audit import verify_chain
from tests.integration.invoicing_core.company_users import audit_trail
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee
from tests.integration.invoicing_core.test_red_letter_forms_api import move, sold_to

CONFIRMATIONS = "/api/v1/use-confirmations"


@pytest.fixture
def buyer(app_client: TestClient, core: InvoicingCore) -> Tenant:
    return make_tenant(app_client, core)


def confirm(client: TestClient, who: dict[str, str], number: str, use: str, **more: Any) -> Any:
    return client.post(CONFIRMATIONS, json={"number": number, "use": use, **more}, headers=who)


def full_red_letter(client: TestClient, seller: Tenant, number: str) -> dict[str, Any]:
    response = client.post(
        "/api/v1/red-letter-forms", json={"number": number, "reason": "1"}, headers=seller.issuer
    )
    assert response.status_code in (200, 201, 202), response.text
    return dict(response.json())


def test_before_use_is_confirmed_the_seller_red_letters_in_full_alone_and_after_it_waits(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, buyer: Tenant
) -> None:
    unconfirmed = sold_to(app_client, tenant, buyer)["number"]
    confirmed_blue = sold_to(app_client, tenant, buyer)["number"]

    alone = full_red_letter(app_client, tenant, unconfirmed)
    assert (alone["form"]["state"], alone["red_invoice"]["red_of"]) == ("01", unconfirmed)

    response = confirm(app_client, buyer.issuer, confirmed_blue, "deduct")
    assert response.status_code == 201, response.text
    body = response.json()
    assert {k: body[k] for k in ("number", "code", "use", "use_label")} == {
        "number": confirmed_blue,
        "code": None,
        "use": "deduct",
        "use_label": "抵扣",
    }
    assert body["confirmed_by"].startswith("issuer") and body["confirmed_at"]
    shown = app_client.get(f"{CONFIRMATIONS}/{confirmed_blue}", headers=buyer.viewer)
    assert shown.status_code == 200 and shown.json() == body

    waiting = full_red_letter(app_client, tenant, confirmed_blue)
    assert (waiting["form"]["state"], waiting["red_invoice"]) == ("02", None)
    blue = app_client.get(f"/api/v1/invoices/{confirmed_blue}", headers=tenant.viewer).json()
    assert blue["status"] == "issued"
    answered = move(app_client, waiting["form"], "confirm", buyer.issuer)
    assert answered.status_code == 200, answered.text
    assert answered.json()["red_invoice"]["red_of"] == confirmed_blue
    trail = [entry["action"] for entry in audit_trail(core, confirmed_blue)]
    assert "invoice.use_confirm" in trail
    entry = next(
        e for e in audit_trail(core, confirmed_blue) if e["action"] == "invoice.use_confirm"
    )
    assert entry["company_id"] == buyer.company_id
    assert verify_chain(core.engine).intact


def test_not_deducting_counts_as_confirmed_use_too_and_a_second_confirmation_is_refused(
    app_client: TestClient, tenant: Tenant, buyer: Tenant
) -> None:
    number = sold_to(app_client, tenant, buyer)["number"]
    assert confirm(app_client, buyer.issuer, number, "不抵扣").status_code == 201

    again = confirm(app_client, buyer.issuer, number, "deduct")

    assert again.status_code == 409
    error = again.json()["error"]
    assert (error["code"], error["field"]) == ("use_already_confirmed", "number")
    assert "不抵扣" in error["message"] and "已于" in error["message"]
    shown = app_client.get(f"{CONFIRMATIONS}/{number}", headers=buyer.issuer).json()
    assert shown["use"] == "no_deduct"
    waiting = full_red_letter(app_client, tenant, number)
    assert waiting["form"]["state"] == "02"


def test_only_the_buyers_company_finds_the_invoice(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, buyer: Tenant
) -> None:
    number = sold_to(app_client, tenant, buyer)["number"]
    stranger = make_tenant(app_client, core)

    for who in (tenant.issuer, stranger.issuer):
        refused = confirm(app_client, who, number, "deduct")
        assert refused.status_code == 404
        assert refused.json()["error"]["code"] == "invoice_not_found"
        seen = app_client.get(f"{CONFIRMATIONS}/{number}", headers=who)
        assert seen.json()["error"]["code"] == "invoice_not_found"
    unconfirmed = app_client.get(f"{CONFIRMATIONS}/{number}", headers=buyer.issuer)
    assert unconfirmed.status_code == 404
    assert unconfirmed.json()["error"]["code"] == "use_confirmation_not_found"
    missing = confirm(app_client, buyer.issuer, "26420000000999999999", "deduct")
    assert missing.json()["error"]["code"] == "invoice_not_found"


def test_viewers_may_not_confirm_and_bad_input_is_refused_naming_the_field(
    app_client: TestClient, tenant: Tenant, buyer: Tenant
) -> None:
    number = sold_to(app_client, tenant, buyer)["number"]

    viewer = confirm(app_client, buyer.viewer, number, "deduct")
    assert (viewer.status_code, viewer.json()["error"]["code"]) == (403, "forbidden")
    for body, field in (
        ({"number": number, "use": "maybe"}, "use"),
        ({"number": "12345", "use": "deduct"}, "number"),
        ({"number": "1234567８", "use": "deduct"}, "number"),
        ({"number": "12345678", "code": "12", "use": "deduct"}, "code"),
    ):
        refused = app_client.post(CONFIRMATIONS, json=body, headers=buyer.issuer)
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["field"] == field and refused.json()["error"]["message"]
    extra = app_client.post(
        CONFIRMATIONS, json={"number": number, "use": "deduct", "why": 1}, headers=buyer.issuer
    )
    assert extra.status_code == 422
    assert app_client.get(f"{CONFIRMATIONS}/{number}", headers=buyer.issuer).status_code == 404


def test_a_paper_invoice_is_named_by_its_number_with_or_without_its_code(
    app_client: TestClient, tenant: Tenant, buyer: Tenant
) -> None:
    body = service_fee(
        "paper_general", buyer={"name": "武汉买方测试有限公司", "tax_id": buyer.tax_id}
    )
    first, second = issue(app_client, tenant, body), issue(app_client, tenant, body)
    number, code = first["number"][-8:], first["code"]

    by_code = confirm(app_client, buyer.issuer, number, "deduct", code=code)
    assert by_code.status_code == 201, by_code.text
    assert (by_code.json()["number"], by_code.json()["code"]) == (number, code)
    shown = app_client.get(f"{CONFIRMATIONS}/{number}", params={"code": code}, headers=buyer.viewer)
    assert shown.json()["use"] == "deduct"
    alone = confirm(app_client, buyer.issuer, second["number"][-8:], "no_deduct")
    assert alone.status_code == 201, alone.text
    assert alone.json()["code"] == second["code"]
    as_shown = app_client.get(f"{CONFIRMATIONS}/{second['number']}", headers=buyer.viewer)
    assert as_shown.json()["use"] == "no_deduct"


def test_a_voided_or_fully_red_flushed_invoice_cannot_have_its_use_confirmed(
    app_client: TestClient, tenant: Tenant, buyer: Tenant
) -> None:
    body = service_fee(
        "paper_general", buyer={"name": "武汉买方测试有限公司", "tax_id": buyer.tax_id}
    )
    paper = issue(app_client, tenant, body)
    voided = app_client.post(
        f"/api/v1/invoices/{paper['number']}/void", json={"reason": "开错了"}, headers=tenant.issuer
    )
    assert voided.status_code == 200, voided.text
    flushed = sold_to(app_client, tenant, buyer)["number"]
    red = full_red_letter(app_client, tenant, flushed)

    for number, why in ((paper["number"], "已作废"), (flushed, "已全额红冲")):
        refused = confirm(app_client, buyer.issuer, number, "deduct")
        assert refused.status_code == 409
        error = refused.json()["error"]
        assert error["code"] == "use_confirmation_not_allowed" and why in error["message"]
    red_one = confirm(app_client, buyer.issuer, red["red_invoice"]["number"], "deduct")
    assert red_one.json()["error"]["code"] == "use_confirmation_not_allowed"
