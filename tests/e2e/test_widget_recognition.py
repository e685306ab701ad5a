"""A clerk photographs an invoice they received: the widget reads it, records it, and
refuses the same invoice a second time (重复报销)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pypdfium2
import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import WAIT, Widget, log_in_as_demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _photo_of_an_invoice(api: httpx.Client, folder: Path) -> tuple[str, Path]:
    """An invoice issued in this system (so the ledger can verify it), as a PNG scan."""
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    issued = api.post("/invoices", json=body)
    assert issued.status_code == 201, issued.text
    number = str(issued.json()["number"])
    pdf = api.get(f"/invoices/{number}/pdf")
    assert pdf.status_code == 200
    document = pypdfium2.PdfDocument(pdf.content)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    photo = folder / f"发票{number[-6:]}.png"
    image.save(photo)
    return number, photo


def test_a_received_invoice_is_read_recorded_and_refused_the_second_time(
    stack: Stack, page: Page, api: httpx.Client, tmp_path: Path, shots: Path
) -> None:
    number, photo = _photo_of_an_invoice(api, tmp_path)
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)
    widget.say("你好")

    def upload() -> None:
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="上传批量开票文件或收到的发票").click()
        chooser.value.set_files(str(photo))

    upload()
    card = page.locator('[data-card="recognition"]').last
    expect(card).to_contain_text(number, timeout=WAIT)
    expect(card).to_contain_text("数电发票（增值税专用发票）")  # the kind by its name
    expect(card).to_contain_text("1130.00")
    expect(card).to_contain_text("91420106MA49X8Q2Y7")
    page.screenshot(path=shots / "1-recognised.png", full_page=True)
    assert page.locator('[data-card="received_invoice"]').count() == 0  # nothing recorded yet

    card.get_by_role("button", name="录入收票台账").click()
    recorded = page.locator('[data-card="received_invoice"]').last
    expect(recorded).to_contain_text("已录入收票台账", timeout=WAIT)
    expect(recorded).to_contain_text(number)
    page.screenshot(path=shots / "2-recorded.png", full_page=True)

    # The same invoice again: the card says at once when and by whom it was recorded,
    # and offers no second record (重复报销).
    upload()
    again = page.locator('[data-card="recognition"]').nth(1)
    expect(again).to_contain_text(number, timeout=WAIT)
    expect(again.get_by_role("alert").first).to_contain_text("该发票已于")
    expect(again).to_contain_text("不能重复录入")
    expect(again.get_by_role("button", name="录入收票台账")).to_have_count(0)
    assert page.locator('[data-card="received_invoice"]').count() == 1
    page.screenshot(path=shots / "3-recorded-before.png", full_page=True)

    # Both exchanges are part of the conversation: a reload shows them, settled.
    page.reload()
    expect(page.locator('[data-card="received_invoice"]')).to_have_count(1, timeout=WAIT)
    for button in page.locator('[data-card="recognition"]').first.locator("button").all():
        expect(button).to_be_disabled()
    listed = api.get("/received-invoices", params={"number": number}).json()
    assert [item["number"] for item in listed["items"]] == [number]
