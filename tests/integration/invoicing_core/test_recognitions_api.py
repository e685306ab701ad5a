"""POST /recognitions: bad uploads refused in Chinese with nothing kept, a bound on jobs."""

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.errors import RecognitionBusy
from invoicing_core.persistence.tables import pending_recognitions
from invoicing_core.recognition import Recognition
from invoicing_core.services.accounts import Principal
from invoicing_core.services.recognitions import RecognitionService
from tests.integration.invoicing_core.conftest import Tenant, make_tenant, valid_tax_id
from tests.integration.invoicing_core.received_ledger import (
    STAND_IN_HEADER,
    buyer_of,
    document_of,
    issued_to,
    recognize,
    record,
    stand_in_engine,
    stand_in_recognize,
    stored_counts,
)

__all__ = ["stand_in_engine"]
pytestmark = pytest.mark.usefixtures("stand_in_engine")


def upload(client: TestClient, tenant: Tenant, data: bytes, name: str = "x.jpg") -> dict[str, str]:
    response = client.post(
        "/api/v1/recognitions",
        files={"file": (name, data, "image/jpeg")},
        headers=tenant.issuer,
    )
    assert 400 <= response.status_code < 500, response.text
    return {"status": str(response.status_code), **response.json()["error"]}


def test_empty_foreign_and_oversized_files_are_refused_in_chinese_and_nothing_is_kept(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    before = stored_counts(core)
    largest = core.recognitions.max_file_bytes

    empty = upload(app_client, tenant, b"")
    text = upload(app_client, tenant, "这不是发票".encode(), "note.txt")
    too_large = upload(app_client, tenant, STAND_IN_HEADER + b"0" * largest)
    not_an_invoice = upload(app_client, tenant, b"%PDF-1.7\n%a letter\n", "letter.pdf")

    assert (empty["status"], empty["code"], empty["field"]) == ("422", "empty_file", "file")
    assert (text["status"], text["code"]) == ("422", "unsupported_file")
    assert (too_large["status"], too_large["code"]) == ("413", "file_too_large")
    assert "MB" in too_large["message"]
    assert not_an_invoice["code"] == "not_an_invoice"
    for refusal in (empty, text, too_large, not_an_invoice):
        assert any("\u4e00" <= char <= "\u9fff" for char in refusal["message"])
    assert stored_counts(core) == before


def test_an_upload_past_the_apps_upload_limit_is_refused_at_the_edge(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    before = stored_counts(core)
    refusal = upload(app_client, tenant, b"\xff\xd8\xff" + b"0" * (30 * 2**20))
    assert (refusal["status"], refusal["code"]) == ("413", "payload_too_large")
    assert stored_counts(core) == before


def test_a_recognition_waits_one_hour_to_be_recorded(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    seller = make_tenant(app_client, core)
    found = recognize(
        app_client, tenant.issuer, document_of(issued_to(app_client, seller, buyer_of(tenant)))
    )
    with core.engine.begin() as connection:
        connection.execute(
            update(pending_recognitions)
            .where(pending_recognitions.c.id == found["id"])
            .values(expires_at=pending_recognitions.c.created_at)
        )

    response = record(app_client, tenant.issuer, found["id"])

    assert response.status_code == 404
    assert "过期" in response.json()["error"]["message"]


@pytest.fixture
def slots_taken(core: InvoicingCore) -> Iterator[None]:
    """Every recognition slot of the app's worker busy, as with long OCR jobs."""
    slots = core.recognitions._slots
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    yield
    for _ in range(taken):
        slots.release()


@pytest.mark.usefixtures("slots_taken")
def test_when_every_slot_is_busy_the_upload_is_refused_with_retry_after(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    before = stored_counts(core)
    response = app_client.post(
        "/api/v1/recognitions",
        files={"file": ("a.pdf", STAND_IN_HEADER + b"{}", "application/pdf")},
        headers=tenant.issuer,
    )
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["error"]["code"] == "recognition_busy"
    assert stored_counts(core) == before


def test_at_most_the_configured_number_of_recognitions_run_at_once(core: InvoicingCore) -> None:
    release, started = threading.Event(), threading.Semaphore(0)
    document = STAND_IN_HEADER + b'{"number": "1"}'

    def slow(data: bytes, filename: str | None) -> Recognition:
        started.release()
        release.wait(10)
        return stand_in_recognize(data, filename=filename)

    service = RecognitionService(core.engine, concurrency=2, recognizer=slow)
    company_id = core.accounts.create_company(
        name="并发识别测试有限公司", tax_id=valid_tax_id(9_999_001), monthly_quota=Decimal(1)
    )
    who = Principal(0, "concurrency-test", "并发", Role.ISSUER, company_id)
    running = [
        threading.Thread(target=service.recognize, args=(who, document, "a.pdf")) for _ in range(2)
    ]
    for thread in running:
        thread.start()
    for _ in running:
        assert started.acquire(timeout=10)
    try:
        with pytest.raises(RecognitionBusy, match="稍后"):
            service.recognize(who, document, "b.pdf")
    finally:
        release.set()
        for thread in running:
            thread.join(10)
    assert service.recognize(who, document, "c.pdf").id
