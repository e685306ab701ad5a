"""The invoice API on a real database: issuing, finding, voiding, red-letters and refusals."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from invoicing_core import InvoicingCore
from invoicing_core.persistence.audit import verify_chain
from invoicing_core.persistence.tables import companies, invoices
from tests.integration.invoicing_core.conftest import Tenant, make_tenant

GUANGGU = {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"}


def service_fee(kind: str = "digital_special", **changes: Any) -> dict[str, Any]:
    """技术服务费 10600 元含税，税率 6%：the example of the bot issue."""
    body: dict[str, Any] = {
        "kind": kind,
        "buyer": GUANGGU,
        "lines": [
            {
                "name": "技术服务费",
                "quantity": "1",
                "unit_price": "10600",
                "tax_rate": "6%",
                "tax_included": True,
            }
        ],
    }
    return body | changes


def issue(client: TestClient, tenant: Tenant, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/v1/invoices", json=body, headers=tenant.issuer)
    assert response.status_code == 201, response.text
    return dict(response.json())


def invoice_count(core: InvoicingCore) -> int:
    with core.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(invoices)).scalar_one())


def test_a_digital_special_invoice_is_issued_with_tax_split_out_of_the_price(
    app_client: TestClient, tenant: Tenant
) -> None:
    invoice = issue(app_client, tenant, service_fee())

    assert len(invoice["number"]) == 20 and invoice["number"][2:4] == "42"
    assert invoice["code"] is None
    assert (invoice["status"], invoice["kind"]) == ("issued", "digital_special")
    assert (invoice["total_amount"], invoice["total_tax"], invoice["total_with_tax"]) == (
        "10000.00",
        "600.00",
        "10600.00",
    )
    assert invoice["total_with_tax_upper"] == "壹万零陆佰圆整"
    assert invoice["seller"]["tax_id"] == tenant.tax_id
    assert invoice["buyer"]["name"] == "武汉光谷科技有限公司"
    fetched = app_client.get(f"/api/v1/invoices/{invoice['number']}", headers=tenant.viewer)
    assert fetched.json() == invoice


@pytest.mark.parametrize(
    ("change", "status", "code", "field"),
    [
        ({"kind": "golden_ticket"}, 422, "invalid_input", "kind"),
        ({"buyer": {"name": "某公司", "tax_id": "123"}}, 422, "invalid_tax_id", "buyer.tax_id"),
        (
            {"buyer": {"name": "某公司", "tax_id": "91420106MA49X8Q2Y8"}},
            422,
            "tax_id_unconfirmed",
            "buyer.tax_id",
        ),
        ({"buyer": {"name": "某公司"}}, 422, "tax_id_required", "buyer.tax_id"),
        (
            {"kind": "digital_general", "buyer": {"name": "武汉光谷科技有限公司"}},
            422,
            "tax_id_required",
            "buyer.tax_id",
        ),
        ({"lines": []}, 422, "invalid_input", "lines"),
        (
            {"lines": [{"name": "服务", "quantity": "1", "unit_price": "-5", "tax_rate": "6%"}]},
            422,
            "invalid_input",
            "lines",
        ),
        (
            {"lines": [{"name": "服务", "quantity": "1", "unit_price": "100", "tax_rate": "7%"}]},
            422,
            "invalid_tax_rate",
            "lines[0].tax_rate",
        ),
        (
            {
                "lines": [
                    {
                        "name": "服务",
                        "quantity": "1",
                        "unit_price": "1234567890123",
                        "tax_rate": "6%",
                    }
                ]
            },
            409,
            "quota_exceeded",
            None,
        ),
        ({"remark": "备" * 231}, 422, "invalid_input", "remark"),
        ({"surprise": 1}, 422, "invalid_input", "surprise"),
    ],
)
def test_bad_invoices_are_refused_with_the_field_and_nothing_is_written(
    app_client: TestClient,
    core: InvoicingCore,
    tenant: Tenant,
    change: dict[str, Any],
    status: int,
    code: str,
    field: str | None,
) -> None:
    before = invoice_count(core)
    response = app_client.post(
        "/api/v1/invoices", json=service_fee(**change), headers=tenant.issuer
    )

    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error.get("field") == field or (field == "lines" and error["field"].startswith("lines"))
    assert error["message"]  # a Chinese sentence for the user
    assert invoice_count(core) == before


def test_a_buyer_id_failing_its_check_character_is_issued_once_confirmed(
    app_client: TestClient, tenant: Tenant
) -> None:
    body = service_fee(
        buyer={"name": "某公司", "tax_id": "91420106MA49X8Q2Y8"}, confirm_tax_id=True
    )
    assert issue(app_client, tenant, body)["buyer"]["tax_id"] == "91420106MA49X8Q2Y8"


def test_a_retry_with_the_same_idempotency_key_returns_the_first_invoice(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    headers = {**tenant.issuer, "Idempotency-Key": "order-2026-0001"}
    first = app_client.post("/api/v1/invoices", json=service_fee(), headers=headers)
    count = invoice_count(core)
    again = app_client.post("/api/v1/invoices", json=service_fee(), headers=headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json()["number"] == first.json()["number"]
    assert invoice_count(core) == count
    other = app_client.post("/api/v1/invoices", json=service_fee(remark="别的"), headers=headers)
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"


def test_parallel_issuing_never_reuses_a_number(
    app_client: TestClient, core: InvoicingCore
) -> None:
    tenants = [make_tenant(app_client, core) for _ in range(2)]

    def issue_one(n: int) -> str:
        tenant = tenants[n % 2]
        kind = "digital_general" if n % 3 else "paper_general"
        return str(issue(app_client, tenant, service_fee(kind))["number"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(issue_one, range(24)))
    assert len(set(numbers)) == 24


def test_parallel_retries_under_one_key_issue_one_invoice(
    app_client: TestClient, tenant: Tenant
) -> None:
    headers = {**tenant.issuer, "Idempotency-Key": "same-click-twice"}

    def post(_: int) -> str:
        response = app_client.post("/api/v1/invoices", json=service_fee(), headers=headers)
        assert response.status_code == 201, response.text
        return str(response.json()["number"])

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert len(set(pool.map(post, range(6)))) == 1


def test_a_digital_invoice_cannot_be_voided_and_the_refusal_offers_a_red_letter(
    app_client: TestClient, tenant: Tenant
) -> None:
    number = issue(app_client, tenant, service_fee())["number"]
    response = app_client.post(
        f"/api/v1/invoices/{number}/void", json={"reason": "开错了"}, headers=tenant.issuer
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "void_not_allowed"
    assert "红字发票" in response.json()["error"]["message"]


def test_the_invoice_says_whether_it_may_be_voided_as_voiding_would(
    app_client: TestClient, tenant: Tenant
) -> None:
    digital = issue(app_client, tenant, service_fee())
    paper = issue(app_client, tenant, service_fee("paper_general"))
    refusal = app_client.post(
        f"/api/v1/invoices/{digital['number']}/void",
        json={"reason": "开错了"},
        headers=tenant.issuer,
    ).json()["error"]

    fetched = app_client.get(f"/api/v1/invoices/{digital['number']}", headers=tenant.viewer)

    assert fetched.json()["void"] == {
        "allowed": False,
        "code": "void_not_allowed",
        "message": refusal["message"],
    }
    assert digital["void"] == fetched.json()["void"]
    assert "红字发票" in fetched.json()["void"]["message"]
    assert paper["void"] == {"allowed": True, "code": None, "message": None}
    listed = app_client.get("/api/v1/invoices", params={"size": 100}, headers=tenant.viewer)
    verdicts = {item["number"]: item["void"]["allowed"] for item in listed.json()["items"]}
    assert (verdicts[digital["number"]], verdicts[paper["number"]]) == (False, True)


def test_a_paper_invoice_is_voided_in_its_month_and_the_audit_chain_holds(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    invoice = issue(app_client, tenant, service_fee("paper_special"))
    assert len(invoice["code"]) == 10 and invoice["number"].startswith(invoice["code"])

    response = app_client.post(
        f"/api/v1/invoices/{invoice['number']}/void",
        json={"reason": "购买方名称有误"},
        headers=tenant.issuer,
    )
    assert response.status_code == 200, response.text
    assert (response.json()["status"], response.json()["void_reason"]) == (
        "voided",
        "购买方名称有误",
    )
    assert response.json()["void"] == {
        "allowed": False,
        "code": "invoice_not_voidable_in_status",
        "message": "该发票状态为“已作废”，不能作废。",
    }
    again = app_client.post(
        f"/api/v1/invoices/{invoice['number']}/void", json={"reason": "再来"}, headers=tenant.issuer
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "invoice_not_voidable_in_status"
    assert verify_chain(core.engine).intact


def test_a_full_red_letter_negates_the_blue_invoice_once(
    app_client: TestClient, tenant: Tenant
) -> None:
    blue = issue(app_client, tenant, service_fee())
    url = f"/api/v1/invoices/{blue['number']}/red-letter"

    red = app_client.post(url, json={"reason": "销货退回"}, headers=tenant.issuer)
    assert red.status_code == 201, red.text
    assert red.json()["red_of"] == blue["number"]
    assert red.json()["total_with_tax"] == "-10600.00"
    assert red.json()["total_with_tax_upper"].startswith("（负数）")
    refreshed = app_client.get(f"/api/v1/invoices/{blue['number']}", headers=tenant.viewer)
    assert refreshed.json()["status"] == "red_flushed"
    second = app_client.post(url, json={"reason": "1"}, headers=tenant.issuer)
    assert (second.status_code, second.json()["error"]["code"]) == (409, "red_exceeds_blue")


def test_the_list_shows_red_flushed_invoices_as_the_single_invoice_does(
    app_client: TestClient, tenant: Tenant
) -> None:
    flushed = issue(app_client, tenant, service_fee(remark="全额红冲"))
    kept = issue(app_client, tenant, service_fee(remark="不红冲"))
    red_letter = f"/api/v1/invoices/{flushed['number']}/red-letter"
    assert app_client.post(red_letter, json={"reason": "1"}, headers=tenant.issuer).is_success

    listed = app_client.get("/api/v1/invoices", params={"size": 100}, headers=tenant.viewer)
    statuses = {item["number"]: item["status"] for item in listed.json()["items"]}
    assert (statuses[flushed["number"]], statuses[kept["number"]]) == ("red_flushed", "issued")
    only_flushed = app_client.get(
        "/api/v1/invoices", params={"status": "red_flushed"}, headers=tenant.viewer
    ).json()
    assert [item["number"] for item in only_flushed["items"]] == [flushed["number"]]
    assert [item["status_label"] for item in only_flushed["items"]] == ["已红冲"]


def test_search_filters_by_buyer_status_and_kind_within_the_company(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    issue(
        app_client,
        tenant,
        service_fee(buyer={**GUANGGU, "name": "湖北搜索测试有限公司"}, kind="digital_general"),
    )
    other = make_tenant(app_client, core)
    issue(
        app_client,
        other,
        service_fee(buyer={**GUANGGU, "name": "湖北搜索测试有限公司"}, kind="digital_general"),
    )

    found = app_client.get(
        "/api/v1/invoices",
        params={"buyer": "搜索测试", "status": "issued", "kind": "digital_general"},
        headers=tenant.viewer,
    ).json()
    assert found["total"] == 1
    assert found["items"][0]["seller"]["tax_id"] == tenant.tax_id
    empty = app_client.get(
        "/api/v1/invoices",
        params={"buyer": "搜索测试", "from": "2001-01-01", "to": "2001-12-31"},
        headers=tenant.viewer,
    ).json()
    assert empty["total"] == 0


def test_another_companys_invoice_is_not_found(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    number = issue(app_client, tenant, service_fee())["number"]
    stranger = make_tenant(app_client, core)
    for method, url, body in [
        ("GET", f"/api/v1/invoices/{number}", None),
        ("POST", f"/api/v1/invoices/{number}/void", {"reason": "x"}),
        ("POST", f"/api/v1/invoices/{number}/red-letter", {"reason": "1"}),
    ]:
        response = app_client.request(method, url, json=body, headers=stranger.issuer)
        assert response.status_code == 404, (url, response.text)
        assert response.json()["error"]["code"] == "invoice_not_found"


@pytest.mark.parametrize(
    ("headers", "status", "code"),
    [
        ({}, 401, "not_authenticated"),
        ({"Authorization": "Bearer forged-token"}, 401, "not_authenticated"),
        ({"Authorization": "Basic ZGVtbzpEZW1vQDIwMjYh"}, 401, "not_authenticated"),
    ],
)
def test_issuing_needs_a_valid_token(
    app_client: TestClient, headers: dict[str, str], status: int, code: str
) -> None:
    response = app_client.post("/api/v1/invoices", json=service_fee(), headers=headers)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)


def test_a_viewer_may_read_but_not_issue(app_client: TestClient, tenant: Tenant) -> None:
    response = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.viewer)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    assert app_client.get("/api/v1/invoices", headers=tenant.viewer).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"page": "0"},
        {"size": "1000"},
        {"status": "lost"},
        {"from": "2026-13-01"},
        {"min_total": "abc"},
    ],
)
def test_bad_search_parameters_get_a_chinese_error(
    app_client: TestClient, tenant: Tenant, params: dict[str, str]
) -> None:
    response = app_client.get("/api/v1/invoices", params=params, headers=tenant.viewer)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == next(iter(params))


@pytest.mark.parametrize(
    "params",
    [
        {"to": "9999-12-31"},
        {"from": "0001-01-01"},
        {"from": "1899-12-31"},
        {"to": "3000-01-01"},
        {"from": "2026-01-01", "to": "9999-12-31"},
    ],
)
def test_search_dates_outside_the_supported_range_are_refused_not_a_server_error(
    app_client: TestClient, tenant: Tenant, params: dict[str, str]
) -> None:
    response = app_client.get("/api/v1/invoices", params=params, headers=tenant.viewer)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    out_of_range = next(name for name, day in params.items() if not day.startswith("2026"))
    assert (error["code"], error["field"]) == ("date_out_of_range", out_of_range)
    assert "1900-01-01至2999-12-31" in error["message"]


def test_search_takes_the_first_and_last_supported_days(
    app_client: TestClient, tenant: Tenant
) -> None:
    issue(app_client, tenant, service_fee())
    response = app_client.get(
        "/api/v1/invoices", params={"from": "1900-01-01", "to": "2999-12-31"}, headers=tenant.viewer
    )
    assert response.status_code == 200, response.text
    assert response.json()["total"] >= 1


def with_line(**changes: str) -> dict[str, Any]:
    """service_fee() with its one line changed."""
    fee = service_fee()
    return {"lines": [fee["lines"][0] | changes]}


INVISIBLE_TEXT_ATTACKS = [
    (with_line(name="技术\x00服务\u202e费"), "lines[0].name"),
    ({"buyer": {**GUANGGU, "name": "\u200b\u200b\u200b"}}, "buyer.name"),
    ({"buyer": {**GUANGGU, "address": "武汉市\u202d东湖高新区"}}, "buyer.address"),
    ({"buyer": {**GUANGGU, "bank": "招商银行\ufeff"}}, "buyer.bank"),
    ({"buyer": {**GUANGGU, "phone": "027\x0787654321"}}, "buyer.phone"),
    ({"buyer": {**GUANGGU, "account": "6225\u200d8802"}}, "buyer.account"),
    ({"buyer": {**GUANGGU, "email": "cw@exam\u2066ple.com"}}, "buyer.email"),
    (with_line(spec="A\u200b型"), "lines[0].spec"),
    (with_line(unit="次\ue000"), "lines[0].unit"),
    ({"remark": "合同\x1b[31mHT-1"}, "remark"),
]


@pytest.mark.parametrize(("change", "field"), INVISIBLE_TEXT_ATTACKS)
@pytest.mark.parametrize("url", ["/api/v1/invoices", "/api/v1/invoices/preview"])
def test_invisible_and_control_characters_are_refused_and_nothing_is_written(
    app_client: TestClient,
    core: InvoicingCore,
    tenant: Tenant,
    url: str,
    change: dict[str, Any],
    field: str,
) -> None:
    before = invoice_count(core)

    response = app_client.post(url, json=service_fee(**change), headers=tenant.issuer)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_character", field)
    assert "不可见字符" in error["message"]
    assert invoice_count(core) == before


def test_ordinary_whitespace_is_printed_as_single_spaces(
    app_client: TestClient, tenant: Tenant
) -> None:
    body = service_fee(
        buyer={**GUANGGU, "name": "武汉光谷\u3000科技\u00a0有限公司", "address": "武汉市\n光谷"},
        remark="合同\tHT-1\r\n第二期",
        **with_line(name="技术\t\t服务费", spec=" A \u3000型 "),
    )
    invoice = issue(app_client, tenant, body)

    shown = app_client.get(f"/api/v1/invoices/{invoice['number']}", headers=tenant.viewer).json()
    assert (shown["buyer"]["name"], shown["buyer"]["address"]) == (
        "武汉光谷 科技 有限公司",
        "武汉市 光谷",
    )
    assert (shown["lines"][0]["name"], shown["lines"][0]["spec"]) == ("技术 服务费", "A 型")
    assert shown["remark"] == "合同 HT-1 第二期"


def test_a_buyer_name_of_whitespace_only_is_refused_as_empty(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    before = invoice_count(core)
    response = app_client.post(
        "/api/v1/invoices",
        json=service_fee(buyer={**GUANGGU, "name": "\u3000\u00a0\t"}),
        headers=tenant.issuer,
    )
    assert response.status_code == 422, response.text
    assert response.json()["error"]["field"] == "buyer.name"
    assert invoice_count(core) == before


def test_a_void_reason_with_a_right_to_left_override_is_refused_and_nothing_changes(
    app_client: TestClient, tenant: Tenant
) -> None:
    number = issue(app_client, tenant, service_fee("paper_general"))["number"]

    response = app_client.post(
        f"/api/v1/invoices/{number}/void", json={"reason": "开错\u202e了"}, headers=tenant.issuer
    )

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_character", "reason")
    shown = app_client.get(f"/api/v1/invoices/{number}", headers=tenant.viewer).json()
    assert (shown["status"], shown["void_reason"]) == ("issued", None)


def test_a_seller_registered_with_invisible_characters_cannot_issue_until_corrected(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    # Companies are registered by operators, outside the API: their texts are checked
    # when they are printed as the seller.
    with core.engine.begin() as connection:
        connection.execute(
            update(companies)
            .where(companies.c.id == tenant.company_id)
            .values(bank="招商银行\u202e武汉分行")
        )
    before = invoice_count(core)

    response = app_client.post("/api/v1/invoices", json=service_fee(), headers=tenant.issuer)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid_character", "seller.bank")
    assert invoice_count(core) == before
