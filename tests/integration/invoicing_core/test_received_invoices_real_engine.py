"""The ledger with the real recognition engine: an invoice's PDF as its buyer receives it."""

from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.received_ledger import (
    buyer_of,
    issued_to,
    recognize,
    record,
    stored_counts,
)


def test_the_pdf_of_an_invoice_issued_here_is_read_recorded_once_and_matched(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    seller = make_tenant(app_client, core)
    invoice = issued_to(app_client, seller, buyer_of(tenant), "paper_special")
    pdf = app_client.get(f"/api/v1/invoices/{invoice['number']}/pdf", headers=seller.issuer)

    found = recognize(app_client, tenant.issuer, pdf.content)
    entry = record(app_client, tenant.issuer, found["id"])
    read_again = recognize(app_client, tenant.issuer, pdf.content)
    again = record(app_client, tenant.issuer, read_again["id"])

    assert found["format"] == "pdf"
    assert found["recorded_before"] is None
    # Read again, the invoice says at once that it was recorded: when, by whom, its state.
    assert read_again["recorded_before"] == again.json()["error"]["message"]
    assert "（状态：已录入）" in read_again["recorded_before"]
    assert entry.status_code == 201, entry.text
    assert entry.json()["code"] + entry.json()["number"] == invoice["number"]
    assert entry.json()["verification"]["status"] == "matched"
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate_received_invoice"


def test_files_the_engine_refuses_keep_nothing(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    before = stored_counts(core)
    for name, data in [
        ("empty.jpg", b""),
        ("note.txt", "报销说明".encode()),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64),
        ("broken.pdf", b"%PDF-1.7\n" + b"garbage" * 10),
    ]:
        response = app_client.post(
            "/api/v1/recognitions", files={"file": (name, data, "image/png")}, headers=tenant.issuer
        )
        assert response.status_code == 422, (name, response.text)
        error = response.json()["error"]
        assert error["field"] == "file" and any("\u4e00" <= c <= "\u9fff" for c in error["message"])
    assert stored_counts(core) == before
