"""Batch issuing from the template, and the invoice PDF, through the API."""

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from pypdf import PdfReader

from invoicing_core.batch import columns as C
from tests.integration.invoicing_core.conftest import Tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee


def batch_file(invoices: list[dict[str, str]], lines: list[dict[str, str]]) -> bytes:
    """An .xlsx in the batch template; cells not given stay empty."""
    workbook = Workbook()
    sheets = [workbook.active, workbook.create_sheet(C.LINE_SHEET)]
    sheets[0].title = C.INVOICE_SHEET
    for sheet, columns, rows in zip(
        sheets, (C.INVOICE_COLUMNS, C.LINE_COLUMNS), (invoices, lines), strict=True
    ):
        headers = [column.header for column in columns]
        sheet.append(headers)
        for row in rows:
            sheet.append([row.get(header, "") for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def invoice(serial: str, **cells: str) -> dict[str, str]:
    return {
        C.SERIAL: serial,
        C.KIND: "数电普票",
        C.BUYER_NAME: "武汉批量客户有限公司",
        C.BUYER_TAX_ID: "91420106MA49X8Q2Y7",
        **cells,
    }


def line(serial: str, **cells: str) -> dict[str, str]:
    return {
        C.SERIAL: serial,
        C.ITEM_NAME: "办公用品",
        C.QUANTITY: "2",
        C.UNIT_PRICE: "50",
        C.TAX_RATE: "13%",
        C.TAX_INCLUDED: "否",
        **cells,
    }


def upload(
    client: TestClient, tenant: Tenant, content: bytes, name: str = "batch.xlsx", **form: str
) -> Any:
    return client.post(
        "/api/v1/invoices/batch",
        headers=tenant.issuer,
        data=form,
        files={"file": (name, content, "application/octet-stream")},
    )


def test_a_good_batch_issues_every_invoice_once(app_client: TestClient, tenant: Tenant) -> None:
    content = batch_file([invoice("A1"), invoice("A2")], [line("A1"), line("A2"), line("A2")])

    first = upload(app_client, tenant, content)
    assert first.status_code == 200, first.text
    assert (first.json()["accepted"], first.json()["rejected"]) == (2, [])
    numbers = first.json()["numbers"]
    shown = app_client.get(f"/api/v1/invoices/{numbers[1]}", headers=tenant.viewer).json()
    assert shown["total_with_tax"] == "226.00"

    again = upload(app_client, tenant, content)
    assert again.json()["accepted"] == 0
    assert [row["field"] for row in again.json()["rejected"]] == ["发票流水号", "发票流水号"]


def test_a_batch_with_a_bad_row_issues_nothing_unless_asked(
    app_client: TestClient, tenant: Tenant
) -> None:
    content = batch_file(
        [invoice("B1"), invoice("B2", **{C.KIND: "数电专票", C.BUYER_TAX_ID: ""})],
        [line("B1"), line("B2")],
    )
    refused = upload(app_client, tenant, content)
    assert refused.json()["accepted"] == 0
    error = refused.json()["rejected"][0]
    assert (error["sheet"], error["row"]) == (C.INVOICE_SHEET, 3)
    assert error["message"]

    partial = upload(app_client, tenant, content, issue_valid="true")
    assert partial.json()["accepted"] == 1


def test_a_preview_lists_what_would_be_issued_and_why_rows_would_not_and_issues_nothing(
    app_client: TestClient, tenant: Tenant
) -> None:
    content = batch_file(
        [invoice("P1"), invoice("P2", **{C.KIND: "数电专票", C.BUYER_TAX_ID: ""}), invoice("P3")],
        [line("P1"), line("P2"), line("P3", **{C.QUANTITY: "1"})],
    )
    before = app_client.get("/api/v1/invoices", headers=tenant.viewer).json()["total"]

    preview = app_client.post(
        "/api/v1/invoices/batch/preview",
        headers=tenant.issuer,
        files={"file": ("batch.xlsx", content, "application/octet-stream")},
    )

    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert (body["valid"], body["total_with_tax"], body["refusal"]) == (2, "169.50", None)
    assert [(i["serial"], i["row"], i["total_with_tax"]) for i in body["invoices"]] == [
        ("P1", 2, "113.00"),
        ("P3", 4, "56.50"),
    ]
    assert body["invoices"][0]["kind_label"] and body["invoices"][0]["buyer"]
    assert [(e["sheet"], e["row"]) for e in body["rejected"]] == [(C.INVOICE_SHEET, 3)]
    assert app_client.get("/api/v1/invoices", headers=tenant.viewer).json()["total"] == before
    # What the preview said is what issuing the good rows then does.
    issued = upload(app_client, tenant, content, issue_valid="true").json()
    assert issued["accepted"] == 2
    again = app_client.post(
        "/api/v1/invoices/batch/preview",
        headers=tenant.issuer,
        files={"file": ("batch.xlsx", content, "application/octet-stream")},
    ).json()
    assert again["valid"] == 0 and len(again["rejected"]) == 3


def test_files_that_are_not_the_template_are_refused_in_chinese(
    app_client: TestClient, tenant: Tenant
) -> None:
    for name, content, code in [
        ("notes.txt", b"hello", "unsupported_batch_file"),
        ("broken.xlsx", b"PK\x03\x04not really a zip", "malformed_batch_file"),
        ("huge.csv", b"x" * (10 * 2**20 + 1), "batch_too_large"),
    ]:
        response = upload(app_client, tenant, content, name)
        assert response.status_code in (413, 422), (name, response.text)
        assert response.json()["error"]["code"] == code
        assert response.json()["error"]["field"] == "file"


def test_the_template_downloads_with_both_sheets(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/invoices/batch/template")
    assert response.status_code == 200
    sheets = load_workbook(io.BytesIO(response.content)).sheetnames
    assert {C.INVOICE_SHEET, C.LINE_SHEET} <= set(sheets)


def test_the_pdf_carries_the_number_parties_and_uppercase_total(
    app_client: TestClient, tenant: Tenant
) -> None:
    blue = issue(app_client, tenant, service_fee())
    response = app_client.get(f"/api/v1/invoices/{blue['number']}/pdf", headers=tenant.viewer)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    for expected in (
        blue["number"],
        "武汉光谷科技有限公司",
        blue["seller"]["name"],
        "壹万零陆佰圆整",
    ):
        assert expected in text.replace(" ", "").replace("\n", "")


def test_another_companys_pdf_is_not_found(
    app_client: TestClient, tenant: Tenant, core: Any
) -> None:
    from tests.integration.invoicing_core.conftest import make_tenant

    number = issue(app_client, tenant, service_fee())["number"]
    stranger = make_tenant(app_client, core)
    response = app_client.get(f"/api/v1/invoices/{number}/pdf", headers=stranger.viewer)
    assert response.status_code == 404


def test_a_batch_with_invisible_characters_is_refused_on_their_rows_and_issues_nothing(
    app_client: TestClient, tenant: Tenant
) -> None:
    content = batch_file(
        [invoice("Z1", **{C.BUYER_NAME: "\u200b\u200b\u200b"}), invoice("Z2")],
        [line("Z1"), line("Z2", **{C.ITEM_NAME: "技术服务\u202e费"})],
    )
    before = app_client.get("/api/v1/invoices", headers=tenant.viewer).json()["total"]

    response = upload(app_client, tenant, content, issue_valid="true")

    assert response.status_code == 200, response.text
    assert response.json()["accepted"] == 0
    rejected = {(e["sheet"], e["row"], e.get("field")) for e in response.json()["rejected"]}
    assert {(C.INVOICE_SHEET, 2, C.BUYER_NAME), (C.LINE_SHEET, 3, C.ITEM_NAME)} <= rejected
    assert app_client.get("/api/v1/invoices", headers=tenant.viewer).json()["total"] == before
