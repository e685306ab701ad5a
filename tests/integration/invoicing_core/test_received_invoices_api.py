"""The received-invoice ledger through the API: record, duplicates, states, matching, scope."""

from datetime import datetime

import pytest
from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.persistence.audit import verify_chain
from tests.integration.invoicing_core.company_users import (
    add_user,
    audit_trail,
    log_in,
    newest_audit_id,
)
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
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
from tests.integration.invoicing_core.test_invoice_api import GUANGGU

__all__ = ["seller", "stand_in_engine"]
pytestmark = pytest.mark.usefixtures("stand_in_engine")


def test_an_invoice_issued_here_is_recorded_with_its_original_and_matched(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, seller: Tenant
) -> None:
    since = newest_audit_id(core)
    invoice = issued_to(app_client, seller, buyer_of(tenant))
    document = document_of(invoice)
    found = recognize(app_client, tenant.issuer, document, "发票 1.pdf")
    assert found["fields"]["number"]["value"] == invoice["number"]

    response = record(app_client, tenant.issuer, found["id"])

    assert response.status_code == 201, response.text
    entry = response.json()
    assert (entry["number"], entry["code"], entry["kind"]) == (
        invoice["number"],
        None,
        "digital_special",
    )
    assert (entry["total_with_tax"], entry["tax"], entry["state"]) == (
        "10600.00",
        "600.00",
        "recorded",
    )
    assert entry["seller"]["tax_id"] == seller.tax_id
    assert entry["verification"]["status"] == "matched"
    assert entry["verification"]["issued_status"] == "issued"
    assert [step["to_state"] for step in entry["history"]] == ["recorded"]
    original = app_client.get(
        f"/api/v1/received-invoices/{entry['id']}/original", headers=tenant.viewer
    )
    assert original.status_code == 200
    assert original.content == document
    assert original.headers["content-type"] == "application/pdf"
    assert "attachment" in original.headers["content-disposition"]
    trail = audit_trail(core, f"received_invoice:{entry['id']}", after=since)
    assert [row["action"] for row in trail] == ["received_invoice.record"]
    assert verify_chain(core.engine).intact


def test_a_recognition_is_recorded_once_and_then_forgotten(
    app_client: TestClient, tenant: Tenant, seller: Tenant
) -> None:
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    recognition_id = recognize(app_client, tenant.issuer, document)["id"]
    assert record(app_client, tenant.issuer, recognition_id).status_code == 201

    again = record(app_client, tenant.issuer, recognition_id)

    assert again.status_code == 404
    assert again.json()["error"]["code"] == "recognition_not_found"


def test_the_same_invoice_recorded_again_is_refused_saying_when_by_whom_and_its_state(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, seller: Tenant
) -> None:
    clerk = add_user(core, tenant, Role.ISSUER)
    clerk_headers = log_in(app_client, clerk)
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    first = record(app_client, clerk_headers, recognize(app_client, clerk_headers, document)["id"])
    entry = first.json()
    moved = app_client.post(
        f"/api/v1/received-invoices/{entry['id']}/state",
        json={"state": "reimbursed", "note": "报销单 BX-001"},
        headers=tenant.issuer,
    )
    assert moved.status_code == 200, moved.text

    second = record(app_client, tenant.issuer, recognize(app_client, tenant.issuer, document)["id"])

    assert second.status_code == 409
    error = second.json()["error"]
    day = datetime.fromisoformat(entry["recorded_at"]).astimezone(CHINA_TZ).date().isoformat()
    assert error["code"] == "duplicate_received_invoice"
    assert error["message"].startswith(f"该发票已于 {day} 由 {clerk} 录入（状态：已报销）")


def test_another_company_may_record_the_same_invoice_in_its_own_ledger(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, seller: Tenant
) -> None:
    other = make_tenant(app_client, core)
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    assert record(app_client, tenant.issuer, recognize(app_client, tenant.issuer, document)["id"])
    response = record(app_client, other.issuer, recognize(app_client, other.issuer, document)["id"])
    assert response.status_code == 201, response.text
    assert response.json()["verification"]["status"] == "unmatched"


def test_corrected_fields_are_kept_as_corrected_and_a_disagreement_is_flagged(
    app_client: TestClient, tenant: Tenant, seller: Tenant
) -> None:
    invoice = issued_to(app_client, seller, buyer_of(tenant))
    misread = document_of(invoice, seller_name="武汉某某公司", date="")
    recognition_id = recognize(app_client, tenant.issuer, misread)["id"]

    response = record(
        app_client,
        tenant.issuer,
        recognition_id,
        {"seller_name": invoice["seller"]["name"], "date": "2020-01-02"},
    )

    assert response.status_code == 201, response.text
    fields = response.json()["fields"]
    assert fields["seller_name"] == {
        "value": invoice["seller"]["name"],
        "source": "user",
        "confidence": None,
        "certain": False,
        "corrected": True,
        "recognized": "武汉某某公司",
    }
    assert fields["date"]["corrected"] and fields["date"]["recognized"] is None
    assert fields["number"]["corrected"] is False
    verification = response.json()["verification"]
    assert verification["status"] == "mismatched"
    assert [m["field"] for m in verification["mismatches"]] == ["date"]
    assert "开票日期" in verification["message"]


def test_a_field_that_was_not_read_must_be_given_and_nothing_is_recorded(
    app_client: TestClient, tenant: Tenant, seller: Tenant
) -> None:
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)), number="")
    recognition_id = recognize(app_client, tenant.issuer, document)["id"]

    response = record(app_client, tenant.issuer, recognition_id)

    assert response.status_code == 422
    assert response.json()["error"]["field"] == "number"
    assert "发票号码" in response.json()["error"]["message"]
    listed = app_client.get("/api/v1/received-invoices", headers=tenant.viewer).json()
    assert listed["total"] == 0


@pytest.mark.parametrize(
    ("corrections", "field"),
    [
        ({"kind": "receipt"}, "kind"),
        ({"total_with_tax": "10601.00"}, "total_with_tax"),
        ({"amount": "abc"}, "amount"),
        ({"seller_tax_id": "123"}, "seller_tax_id"),
        ({"date": "2026-13-01"}, "date"),
        ({"colour": "红"}, "colour"),
        ({"remarks": "备注\u200b"}, "remarks"),
    ],
)
def test_bad_corrections_are_refused_naming_the_field(
    app_client: TestClient,
    tenant: Tenant,
    seller: Tenant,
    corrections: dict[str, str],
    field: str,
) -> None:
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    recognition_id = recognize(app_client, tenant.issuer, document)["id"]

    response = record(app_client, tenant.issuer, recognition_id, corrections)

    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == field


def test_recorded_moves_once_to_reimbursed_deducted_or_rejected_and_keeps_its_history(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, seller: Tenant
) -> None:
    since = newest_audit_id(core)
    entry = received(app_client, seller, tenant)
    path = f"/api/v1/received-invoices/{entry['id']}/state"

    moved = app_client.post(
        path, json={"state": "deducted", "note": "12月勾选"}, headers=tenant.issuer
    )
    again = app_client.post(path, json={"state": "reimbursed"}, headers=tenant.issuer)
    back = app_client.post(path, json={"state": "recorded"}, headers=tenant.issuer)

    assert moved.status_code == 200, moved.text
    assert (moved.json()["state"], moved.json()["state_label"]) == ("deducted", "已抵扣")
    assert moved.json()["next_states"] == []
    history = moved.json()["history"]
    assert [(s["from_state"], s["to_state"], s["note"]) for s in history] == [
        (None, "recorded", ""),
        ("recorded", "deducted", "12月勾选"),
    ]
    for refused in (again, back):
        assert refused.status_code == 409
        assert refused.json()["error"]["code"] == "receipt_state_not_allowed"
        assert "已抵扣" in refused.json()["error"]["message"]
    trail = audit_trail(core, f"received_invoice:{entry['id']}", after=since)
    actions = [row["action"] for row in trail]
    assert actions == ["received_invoice.record", "received_invoice.state"]


def test_a_viewer_reads_the_ledger_but_neither_records_nor_changes_it(
    app_client: TestClient, tenant: Tenant, seller: Tenant
) -> None:
    entry = received(app_client, seller, tenant)
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    recognition_id = recognize(app_client, tenant.viewer, document)["id"]

    assert record(app_client, tenant.viewer, recognition_id).status_code == 403
    moved = app_client.post(
        f"/api/v1/received-invoices/{entry['id']}/state",
        json={"state": "reimbursed"},
        headers=tenant.viewer,
    )
    assert moved.status_code == 403
    shown = app_client.get(f"/api/v1/received-invoices/{entry['id']}", headers=tenant.viewer)
    assert shown.json()["state"] == "recorded"


def test_the_receiver_sees_the_issued_invoice_voided_after_it_was_recorded(
    app_client: TestClient, tenant: Tenant, seller: Tenant
) -> None:
    entry = received(app_client, seller, tenant, kind="paper_general")
    assert entry["code"] and entry["verification"]["issued_status"] == "issued"
    voided = app_client.post(
        f"/api/v1/invoices/{entry['code']}{entry['number']}/void",
        json={"reason": "开错了"},
        headers=seller.issuer,
    )
    assert voided.status_code == 200, voided.text

    shown = app_client.get(f"/api/v1/received-invoices/{entry['id']}", headers=tenant.viewer)

    verification = shown.json()["verification"]
    assert (verification["issued_status"], verification["issued_status_label"]) == (
        "voided",
        "已作废",
    )
    assert "已作废" in verification["message"] and "请勿报销" in verification["message"]


def test_an_invoice_not_issued_here_to_the_company_is_marked_unverifiable(
    app_client: TestClient, tenant: Tenant, seller: Tenant
) -> None:
    # Issued here, but to another buyer: its state is not the receiver's to see.
    to_someone_else = document_of(
        issued_to(app_client, seller, GUANGGU), buyer_name="收票测试", buyer_tax_id=tenant.tax_id
    )
    never_issued = document_of(
        issued_to(app_client, seller, buyer_of(tenant)), number="26429000000000000042"
    )
    for document in (to_someone_else, never_issued):
        recognition_id = recognize(app_client, tenant.issuer, document)["id"]
        entry = record(app_client, tenant.issuer, recognition_id).json()
        assert entry["verification"] == {
            "status": "unmatched",
            "message": "未在本系统开具，无法核验",
            "issued_status": None,
            "issued_status_label": None,
            "mismatches": [],
        }


def test_another_companys_entries_and_recognitions_are_not_found(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, seller: Tenant
) -> None:
    stranger = make_tenant(app_client, core)
    entry = received(app_client, seller, tenant)
    document = document_of(issued_to(app_client, seller, buyer_of(tenant)))
    recognition_id = recognize(app_client, tenant.issuer, document)["id"]
    base = f"/api/v1/received-invoices/{entry['id']}"

    assert app_client.get(base, headers=stranger.issuer).status_code == 404
    assert app_client.get(f"{base}/original", headers=stranger.issuer).status_code == 404
    moved = app_client.post(f"{base}/state", json={"state": "rejected"}, headers=stranger.issuer)
    assert moved.status_code == 404
    taken = record(app_client, stranger.issuer, recognition_id)
    assert taken.status_code == 404
    assert taken.json()["error"]["code"] == "recognition_not_found"
    listed = app_client.get("/api/v1/received-invoices", headers=stranger.issuer).json()
    assert listed["total"] == 0
    assert record(app_client, tenant.issuer, recognition_id).status_code == 201


def test_the_ledger_is_searched_by_number_seller_dates_state_and_kind_a_page_at_a_time(
    app_client: TestClient, core: InvoicingCore, seller: Tenant
) -> None:
    tenant = make_tenant(app_client, core)
    digital = received(app_client, seller, tenant)
    paper = received(app_client, seller, tenant, kind="paper_special")
    other_seller = received(app_client, make_tenant(app_client, core), tenant)
    app_client.post(
        f"/api/v1/received-invoices/{paper['id']}/state",
        json={"state": "rejected", "note": "抬头有误"},
        headers=tenant.issuer,
    )

    def ids(**params: str | int) -> list[int]:
        response = app_client.get("/api/v1/received-invoices", params=params, headers=tenant.viewer)
        assert response.status_code == 200, response.text
        return [item["id"] for item in response.json()["items"]]

    today = digital["date"]
    assert ids() == [other_seller["id"], paper["id"], digital["id"]]
    assert ids(number=digital["number"]) == [digital["id"]]
    assert ids(number=paper["code"] + paper["number"]) == [paper["id"]]
    assert ids(seller=seller.tax_id) == [paper["id"], digital["id"]]
    assert ids(seller=digital["seller"]["name"]) == [paper["id"], digital["id"]]
    assert ids(state="rejected") == [paper["id"]]
    assert ids(kind="paper_special") == [paper["id"]]
    assert ids(**{"from": today, "to": today}) == ids()
    assert ids(**{"from": "2000-01-01", "to": "2000-12-31"}) == []
    assert ids(size=2, page=2) == [digital["id"]]
    refused = app_client.get(
        "/api/v1/received-invoices", params={"from": "0001-01-01"}, headers=tenant.viewer
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "date_out_of_range"
