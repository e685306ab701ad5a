"""Helpers for the received-invoice ledger's tests: invoices issued here, read and recorded.

`stand_in_recognize` replaces the recognition engine where a test is about the ledger,
not about reading: its documents carry the fields the engine would read, behind a PDF
header, and the engine's own first check (size and file type) refuses bad uploads.
"""

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from invoicing_core import InvoicingCore
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.persistence.tables import pending_recognitions, received_invoices
from invoicing_core.recognition import Recognition, RecognitionError, RecognizedField
from invoicing_core.recognition.sniff import sniff
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee

STAND_IN_HEADER = b"%PDF-1.7\n%stand-in invoice\n"


def document_of(invoice: dict[str, Any], **changes: str) -> bytes:
    """A stand-in for the invoice's PDF, carrying its fields as printed (changed as given)."""
    code = invoice["code"] or ""
    issued = datetime.fromisoformat(invoice["issued_at"]).astimezone(CHINA_TZ)
    fields = {
        "kind": invoice["kind"],
        "code": code,
        "number": invoice["number"][len(code) :],
        "date": issued.date().isoformat(),
        "buyer_name": invoice["buyer"]["name"],
        "buyer_tax_id": invoice["buyer"]["tax_id"],
        "seller_name": invoice["seller"]["name"],
        "seller_tax_id": invoice["seller"]["tax_id"],
        "amount": invoice["total_amount"],
        "tax": invoice["total_tax"],
        "total_with_tax": invoice["total_with_tax"],
    }
    printed = {name: value for name, value in (fields | changes).items() if value}
    return STAND_IN_HEADER + json.dumps(printed, ensure_ascii=False).encode()


def stand_in_recognize(data: bytes, *, filename: str | None = None) -> Recognition:
    """What the engine would read from a stand-in document; its refusals for other files."""
    sniff(data)
    if not data.startswith(STAND_IN_HEADER):
        raise RecognitionError("not_an_invoice", "没有在文件中找到发票，请上传发票的照片或文件。")
    printed = json.loads(data[len(STAND_IN_HEADER) :])
    fields = {
        name: RecognizedField(value, "text_layer", 0.99, True) for name, value in printed.items()
    }
    return Recognition("pdf", fields, [], [], None)


@pytest.fixture(scope="module")
def stand_in_engine() -> Iterator[None]:
    """The stand-in in place of the engine for a whole module."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("invoicing_core.services.recognitions.recognize", stand_in_recognize)
        yield


@pytest.fixture
def seller(app_client: TestClient, core: InvoicingCore) -> Tenant:
    """Another company, which issues invoices to the tenant."""
    return make_tenant(app_client, core)


def buyer_of(tenant: Tenant) -> dict[str, str]:
    """The tenant's company as the buyer printed on an invoice."""
    return {"name": f"收票测试{tenant.company_id}有限公司", "tax_id": tenant.tax_id}


def issued_to(
    client: TestClient, seller: Tenant, buyer: dict[str, str], kind: str = "digital_special"
) -> dict[str, Any]:
    """An invoice the seller issues here to `buyer`."""
    return issue(client, seller, service_fee(kind=kind, buyer=buyer))


def recognize(
    client: TestClient, headers: dict[str, str], data: bytes, name: str = "invoice.pdf"
) -> dict[str, Any]:
    """The recognition of an upload, which must succeed."""
    response = client.post(
        "/api/v1/recognitions", files={"file": (name, data, "application/pdf")}, headers=headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def record(
    client: TestClient,
    headers: dict[str, str],
    recognition_id: str,
    corrections: dict[str, str] | None = None,
) -> Any:
    """The response to recording a recognition."""
    return client.post(
        "/api/v1/received-invoices",
        json={"recognition_id": recognition_id, "corrections": corrections or {}},
        headers=headers,
    )


def received(
    client: TestClient, seller: Tenant, receiver: Tenant, kind: str = "digital_special"
) -> dict[str, Any]:
    """An invoice issued by `seller` to `receiver`, recorded in the receiver's ledger."""
    document = document_of(issued_to(client, seller, buyer_of(receiver), kind))
    response = record(client, receiver.issuer, recognize(client, receiver.issuer, document)["id"])
    assert response.status_code == 201, response.text
    return dict(response.json())


def stored_counts(core: InvoicingCore) -> tuple[int, int]:
    """How many recognitions wait to be recorded, and how many ledger entries there are."""
    with core.engine.connect() as connection:
        waiting = connection.execute(select(func.count()).select_from(pending_recognitions))
        entries = connection.execute(select(func.count()).select_from(received_invoices))
        return waiting.scalar_one(), entries.scalar_one()
