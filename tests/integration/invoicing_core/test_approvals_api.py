"""Remote approval through the API: rules hold requests back, approvers decide, and only
the final approval issues, voids or red-letters, as the requester, exactly once."""

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.persistence import quota_usage
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.persistence.tables import approval_requests
from invoicing_core.services.approvals import ApprovalService
from tests.integration.invoicing_core.company_users import add_user, audit_trail, log_in
from tests.integration.invoicing_core.conftest import Tenant, make_tenant, valid_tax_id
from tests.integration.invoicing_core.test_invoice_api import invoice_count, issue, service_fee

RULES = "/api/v1/approval-rules"
_buyers = count(1)
APPROVALS = "/api/v1/approvals"


@dataclass(frozen=True)
class Company:
    """A tenant with its admin and one or two users of the approver role, logged in."""

    tenant: Tenant
    issuer_name: str
    admin_name: str
    admin: dict[str, str]
    approver: dict[str, str]
    second_approver: dict[str, str]


def company(
    client: TestClient, core: InvoicingCore, quota: str = "1000000", approvers: int = 2
) -> Company:
    tenant = make_tenant(client, core, quota=quota)
    admin_name = add_user(core, tenant, Role.ADMIN)
    issuer_name = client.get("/api/v1/auth/me", headers=tenant.issuer).json()["username"]
    logged_in = [log_in(client, add_user(core, tenant, Role.APPROVER)) for _ in range(approvers)]
    return Company(
        tenant, issuer_name, admin_name, log_in(client, admin_name), logged_in[0], logged_in[-1]
    )


def new_buyer() -> dict[str, Any]:
    """A buyer no company has invoiced yet."""
    n = next(_buyers)
    return {"name": f"武汉新客户{n}有限公司", "tax_id": valid_tax_id(900000 + n)}


def set_rules(client: TestClient, who: Company, **rules: Any) -> None:
    response = client.put(RULES, json=rules, headers=who.admin)
    assert response.status_code == 200, response.text


def ask(client: TestClient, who: Company, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/invoices", json=body, headers=who.tenant.issuer)
    assert response.status_code == 202, response.text
    return dict(response.json())


def decide(
    client: TestClient, headers: dict[str, str], request_id: int, move: str, **body: Any
) -> Any:
    return client.post(f"{APPROVALS}/{request_id}/{move}", json=body or None, headers=headers)


def used(core: InvoicingCore, who: Company) -> Decimal:
    """The month's quota as issuing sees it now: issued invoices plus waiting holds."""
    with core.engine.connect() as connection:
        return quota_usage.used(connection, who.tenant.company_id, datetime.now(UTC))


@pytest.fixture(scope="module")
def firm(app_client: TestClient, core: InvoicingCore) -> Company:
    """A company the tests share (logging users in is slow): each sets the rules it needs
    and leaves no request waiting, so the quota holds are the test's own."""
    return company(app_client, core)


def test_a_matching_issue_becomes_a_request_holding_its_quota_and_issues_nothing(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(app_client, firm, min_total_with_tax="10000.00")
    before, held_before = invoice_count(core), used(core, firm)

    asked = ask(app_client, firm, service_fee())

    assert (asked["action"], asked["state"], asked["level"]) == ("issue", "pending", 1)
    assert asked["reasons"] == ["价税合计10600.00元达到审批金额10000.00元"]
    assert asked["content"]["invoice"]["total_with_tax"] == "10600.00"
    assert asked["content"]["invoice"]["lines"][0]["tax"] == "600.00"
    assert asked["quota_hold"] == "10000.00"
    assert invoice_count(core) == before
    assert used(core, firm) == held_before + Decimal("10000.00")
    # Below the threshold the invoice is issued at once.
    small = service_fee(lines=[{**service_fee()["lines"][0], "unit_price": "9999.99"}])
    issued = app_client.post("/api/v1/invoices", json=small, headers=firm.tenant.issuer)
    assert issued.status_code == 201
    assert decide(app_client, firm.tenant.issuer, asked["id"], "cancel").status_code == 200


def test_approval_issues_exactly_one_invoice_as_the_requester_with_the_frozen_content(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(app_client, firm, kinds=["digital_special"])
    asked = ask(app_client, firm, service_fee())
    waiting = app_client.get(
        APPROVALS, params={"state": "pending", "mine": "approver"}, headers=firm.approver
    ).json()
    assert [item["id"] for item in waiting["items"]] == [asked["id"]]
    assert waiting["items"][0]["awaiting_you"] is True
    before, held_before = invoice_count(core), used(core, firm)

    approved = decide(app_client, firm.approver, asked["id"], "approve")

    assert approved.status_code == 200, approved.text
    outcome = approved.json()
    invoice = outcome["invoice"]
    assert outcome["approval"]["state"] == "approved"
    assert outcome["approval"]["result"] == invoice["number"]
    assert invoice_count(core) == before + 1
    frozen = asked["content"]["invoice"]
    for key in ("kind", "total_amount", "total_tax", "total_with_tax", "remark"):
        assert invoice[key] == frozen[key]
    assert invoice["buyer"]["tax_id"] == frozen["buyer"]["tax_id"]
    issued = core.invoices.get(core.accounts.principal_of(firm.issuer_name), invoice["number"])
    assert issued.issued_by == firm.issuer_name
    assert used(core, firm) == held_before  # charged once: the hold became the invoice

    again = decide(app_client, firm.second_approver, asked["id"], "approve")
    assert again.status_code == 409
    assert again.json()["error"] == {
        "code": "approval_not_pending",
        "message": "该审批申请已通过，不能再处理。",
        "field": "id",
    }
    assert invoice_count(core) == before + 1
    mine = app_client.get(APPROVALS, params={"mine": "requester"}, headers=firm.tenant.issuer)
    assert mine.json()["items"][0]["id"] == asked["id"]
    assert mine.json()["items"][0]["state"] == "approved"
    moves = [entry["action"] for entry in audit_trail(core, f"approval:{asked['id']}")]
    assert moves == ["approval.request", "approval.approve"]
    assert verify_chain(core.engine).intact


def test_reject_cancel_and_lapse_each_release_the_quota(
    app_client: TestClient, core: InvoicingCore
) -> None:
    firm = company(app_client, core, quota="25000", approvers=1)
    set_rules(app_client, firm, min_total_with_tax="1")
    first, second = ask(app_client, firm, service_fee()), ask(app_client, firm, service_fee())
    assert used(core, firm) == Decimal("20000.00")
    refused = app_client.post("/api/v1/invoices", json=service_fee(), headers=firm.tenant.issuer)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "quota_exceeded"

    no_reason = decide(app_client, firm.approver, first["id"], "reject", reason=" ")
    assert no_reason.status_code == 422 and used(core, firm) == Decimal("20000.00")
    rejected = decide(app_client, firm.approver, first["id"], "reject", reason="金额不对")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["approval"]["decisions"][0]["reason"] == "金额不对"
    assert used(core, firm) == Decimal("10000.00")

    assert decide(app_client, firm.approver, second["id"], "cancel").status_code == 403
    cancelled = decide(app_client, firm.tenant.issuer, second["id"], "cancel")
    assert cancelled.json()["approval"]["state"] == "cancelled"
    assert used(core, firm) == Decimal("0")

    third = ask(app_client, firm, service_fee())
    assert used(core, firm) == Decimal("10000.00")
    earlier = timedelta(hours=72, seconds=1)  # asked 72 hours and a second ago
    with core.engine.begin() as connection:
        connection.execute(
            update(approval_requests)
            .where(approval_requests.c.id == third["id"])
            .values(
                requested_at=datetime.fromisoformat(third["requested_at"]) - earlier,
                deadline=datetime.fromisoformat(third["deadline"]) - earlier,
            )
        )
    assert used(core, firm) == Decimal("0")
    shown = app_client.get(f"{APPROVALS}/{third['id']}", headers=firm.tenant.issuer).json()
    assert shown["state"] == "lapsed"
    late = decide(app_client, firm.approver, third["id"], "approve")
    assert late.status_code == 409
    assert "已过期（超过72小时未审批）" in late.json()["error"]["message"]
    trail = [entry["action"] for entry in audit_trail(core, f"approval:{third['id']}")]
    assert trail == ["approval.request", "approval.lapse"]
    for ended in (first, second):
        again = decide(app_client, firm.approver, ended["id"], "approve")
        assert again.json()["error"]["code"] == "approval_not_pending"
    assert verify_chain(core.engine).intact


def test_no_one_approves_their_own_request(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(
        app_client,
        firm,
        new_buyer=True,
        levels=[{"approvers": [firm.issuer_name, firm.admin_name]}],
    )
    buyer = new_buyer()
    asked = ask(app_client, firm, service_fee(buyer=buyer))
    assert asked["reasons"] == ["首次向该购买方开票"]

    own = decide(app_client, firm.tenant.issuer, asked["id"], "approve")
    assert own.status_code == 403
    assert own.json()["error"] == {
        "code": "self_approval_not_allowed",
        "message": "不能审批自己提交的申请。",
        "field": "id",
    }
    role_only = decide(app_client, firm.approver, asked["id"], "approve")
    assert role_only.json()["error"]["code"] == "not_an_approver"
    assert decide(app_client, firm.admin, asked["id"], "approve").status_code == 200
    # The buyer is known now: the next invoice to it needs no approval.
    again = app_client.post(
        "/api/v1/invoices", json=service_fee(buyer=buyer), headers=firm.tenant.issuer
    )
    assert again.status_code == 201


def test_two_levels_issue_only_after_the_second(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(
        app_client,
        firm,
        min_total_with_tax="10000",
        levels=[{"approvers": []}, {"approvers": [firm.admin_name]}],
    )
    asked = ask(app_client, firm, service_fee())
    before = invoice_count(core)

    first = decide(app_client, firm.approver, asked["id"], "approve").json()
    assert (first["approval"]["state"], first["approval"]["level"], first["invoice"]) == (
        "pending",
        2,
        None,
    )
    assert invoice_count(core) == before
    waiting = app_client.get(APPROVALS, params={"mine": "approver"}, headers=firm.admin).json()
    assert [item["id"] for item in waiting["items"]] == [asked["id"]]
    assert decide(app_client, firm.second_approver, asked["id"], "approve").status_code == 403

    final = decide(app_client, firm.admin, asked["id"], "approve").json()
    assert final["approval"]["state"] == "approved" and final["invoice"]["number"]
    assert [d["level"] for d in final["approval"]["decisions"]] == [1, 2]
    assert invoice_count(core) == before + 1


def test_two_approvers_at_once_issue_one_invoice(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(app_client, firm, min_total_with_tax="1")
    asked = ask(app_client, firm, service_fee())
    before = invoice_count(core)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(
            pool.map(
                lambda headers: decide(app_client, headers, asked["id"], "approve"),
                [firm.approver, firm.second_approver],
            )
        )

    assert sorted(answer.status_code for answer in answers) == [200, 409]
    assert invoice_count(core) == before + 1


def test_a_void_and_a_red_letter_request_are_carried_out_on_approval(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(app_client, firm, void=True, red_letter=True)  # issuing passes
    paper = issue(app_client, firm.tenant, service_fee("paper_general"))["number"]
    digital = issue(app_client, firm.tenant, service_fee())["number"]
    issuer = firm.tenant.issuer

    void = app_client.post(
        f"/api/v1/invoices/{paper}/void", json={"reason": "开错了"}, headers=issuer
    )
    assert void.status_code == 202, void.text
    assert void.json()["content"]["reason"] == "开错了"
    twice = app_client.post(
        f"/api/v1/invoices/{paper}/void", json={"reason": "再来"}, headers=issuer
    )
    assert twice.status_code == 409
    assert app_client.get(f"/api/v1/invoices/{paper}", headers=issuer).json()["status"] == "issued"
    voided = decide(app_client, firm.approver, void.json()["id"], "approve").json()
    assert voided["invoice"]["status"] == "voided"
    assert voided["invoice"]["void_reason"] == "开错了"

    red = app_client.post(
        f"/api/v1/invoices/{digital}/red-letter", json={"reason": "2"}, headers=issuer
    )
    assert red.status_code == 202, red.text
    assert red.json()["action"] == "red_letter"
    assert red.json()["content"]["red_invoice"]["total_with_tax"] == "-10600.00"
    through_forms = app_client.post(
        "/api/v1/red-letter-forms", json={"number": digital, "reason": "2"}, headers=issuer
    )
    assert through_forms.status_code == 409  # already waiting for approval
    done = decide(app_client, firm.approver, red.json()["id"], "approve").json()
    assert done["invoice"]["red_of"] == digital
    assert done["invoice"]["total_with_tax"] == "-10600.00"
    assert done["red_letter_form"]["form"]["red_number"] == done["invoice"]["number"]
    blue = app_client.get(f"/api/v1/invoices/{digital}", headers=issuer).json()
    assert blue["status"] == "red_flushed"
    assert verify_chain(core.engine).intact


def test_rules_are_the_admins_and_each_company_sees_only_its_own(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    stranger = company(app_client, core, approvers=1)
    empty = app_client.get(RULES, headers=stranger.tenant.viewer).json()
    assert (empty["set"], empty["levels"], empty["lapse_hours"]) == (False, [{"approvers": []}], 72)
    assert app_client.put(RULES, json={"void": True}, headers=firm.tenant.issuer).status_code == 403

    set_rules(app_client, firm, min_total_with_tax="5000", lapse_hours=24)
    shown = app_client.get(RULES, headers=firm.approver).json()
    assert (shown["set"], shown["min_total_with_tax"], shown["lapse_hours"]) == (
        True,
        "5000.00",
        24,
    )
    assert app_client.get(RULES, headers=stranger.admin).json()["set"] is False
    asked = ask(app_client, firm, service_fee())
    assert datetime.fromisoformat(asked["deadline"]) - datetime.fromisoformat(
        asked["requested_at"]
    ) == timedelta(hours=24)

    for path in (f"{APPROVALS}/{asked['id']}", f"{APPROVALS}/{asked['id']}/approve"):
        method = app_client.get if path.endswith(str(asked["id"])) else app_client.post
        answer = method(path, headers=stranger.approver)
        assert answer.status_code == 404
        assert answer.json()["error"]["code"] == "approval_not_found"
    assert app_client.get(APPROVALS, headers=stranger.admin).json()["total"] == 0
    assert decide(app_client, firm.tenant.issuer, asked["id"], "cancel").status_code == 200


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"min_total_with_tax": 1000.5}, "min_total_with_tax"),
        ({"min_total_with_tax": "-1"}, "min_total_with_tax"),
        ({"kinds": ["electronic"]}, "kinds[0]"),
        ({"buyers": ["123"]}, "buyers[0]"),
        ({"levels": [{"approvers": ["nobody-at-all"]}]}, "levels[0].approvers[0]"),
        ({"levels": [{}, {}, {}]}, "levels"),
        ({"lapse_hours": 0}, "lapse_hours"),
    ],
)
def test_bad_rules_are_refused_naming_the_field_and_change_nothing(
    app_client: TestClient, firm: Company, rules: dict[str, Any], field: str
) -> None:
    set_rules(app_client, firm, void=True)

    response = app_client.put(RULES, json=rules, headers=firm.admin)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"].endswith(field) and error["message"]
    assert app_client.get(RULES, headers=firm.admin).json()["void"] is True


def test_an_invoice_with_a_line_of_a_listed_item_waits_and_others_are_issued(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(app_client, firm, items=["*运输服务*"])
    assert app_client.get(RULES, headers=firm.admin).json()["items"] == ["运输服务"]
    freight = {**service_fee()["lines"][0], "name": "*运输服务*国内道路货物运输服务"}
    before = invoice_count(core)

    asked = ask(app_client, firm, service_fee(lines=[service_fee()["lines"][0], freight]))

    assert asked["reasons"] == [
        "商品或服务“*运输服务*国内道路货物运输服务”属于须审批的项目“运输服务”"
    ]
    assert invoice_count(core) == before
    plain = app_client.post("/api/v1/invoices", json=service_fee(), headers=firm.tenant.issuer)
    assert plain.status_code == 201
    bad = app_client.put(RULES, json={"items": ["运输服务", "**"]}, headers=firm.admin)
    assert (bad.status_code, bad.json()["error"]["field"]) == (422, "items[1]")
    assert app_client.get(RULES, headers=firm.admin).json()["items"] == ["运输服务"]
    assert decide(app_client, firm.tenant.issuer, asked["id"], "cancel").status_code == 200


def test_notifiers_find_each_approvers_waiting_requests_and_lapses_are_recorded_by_the_clock(
    app_client: TestClient, core: InvoicingCore, firm: Company
) -> None:
    set_rules(
        app_client,
        firm,
        void=False,
        min_total_with_tax="1",
        levels=[{"approvers": [firm.admin_name]}],
    )
    asked = ask(app_client, firm, service_fee())

    waiting = core.approvals.awaiting_by_approver()
    assert asked["id"] in [view.request.id for view in waiting[firm.admin_name]]
    assert all(
        asked["id"] not in [v.request.id for v in views]
        for name, views in waiting.items()
        if name != firm.admin_name
    )

    later = datetime.fromisoformat(asked["deadline"])
    at_deadline = ApprovalService(core.engine, core.invoices, core.red_letters, clock=lambda: later)
    assert asked["id"] not in [
        view.request.id for view in at_deadline.awaiting_by_approver().get(firm.admin_name, [])
    ]
    lapsed = at_deadline.record_lapses()
    assert asked["id"] in [request.id for request in lapsed]
    assert at_deadline.record_lapses() == []
    shown = app_client.get(f"{APPROVALS}/{asked['id']}", headers=firm.tenant.issuer).json()
    assert (shown["state"], shown["ended_at"]) == ("lapsed", asked["deadline"])
    trail = [entry["action"] for entry in audit_trail(core, f"approval:{asked['id']}")]
    assert trail == ["approval.request", "approval.lapse"]
