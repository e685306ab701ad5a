"""A clerk photographs an invoice they received: the widget reads it, records it, and
refuses the same invoice a second time (重复报销)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pypdfium2
import pytest
from PIL import ImageDraw
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import WAIT, Widget, log_in_as_demo
from tests.e2e.received import issued_invoice_pdf

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _photo_of_an_invoice(
    api: httpx.Client, folder: Path, *, without_qr: bool = False
) -> tuple[str, Path]:
    """An invoice issued in this system (so the ledger can verify it), as a PNG scan; its
    QR code painted over when asked, so fields are read by OCR alone."""
    number, pdf = issued_invoice_pdf(api)
    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=200 / 72).to_pil()
    finally:
        document.close()
    if without_qr:
        ImageDraw.Draw(image).rectangle((0, 0, 330, 330), fill="white")
    photo = folder / f"发票{number[-6:]}.png"
    image.save(photo)
    return number, photo


def _upload(page: Page, photo: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="上传批量开票文件或收到的发票").click()
    chooser.value.set_files(str(photo))


def test_a_received_invoice_is_read_recorded_and_refused_the_second_time(
    stack: Stack, page: Page, api: httpx.Client, tmp_path: Path, shots: Path
) -> None:
    number, photo = _photo_of_an_invoice(api, tmp_path)
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)
    widget.say("你好")

    _upload(page, photo)
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
    _upload(page, photo)
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


def test_a_field_read_without_certainty_is_corrected_on_the_card_before_recording(
    stack: Stack, page: Page, api: httpx.Client, tmp_path: Path, shots: Path
) -> None:
    number, photo = _photo_of_an_invoice(api, tmp_path, without_qr=True)
    log_in_as_demo(page, stack.app_url)
    Widget(page).say("你好")

    _upload(page, photo)
    card = page.locator('[data-card="recognition"]').last
    # Without the QR code nothing confirms the number: it is an input to check.
    field = card.get_by_role("textbox", name="发票号码（请核对，可更正）")
    expect(field).to_have_value(number, timeout=WAIT)
    page.screenshot(path=shots / "4-uncertain-fields.png", full_page=True)

    # A wrong correction is refused by the ledger, naming the field; the card stays open.
    field.fill("12345")
    card.get_by_role("button", name="录入收票台账").click()
    expect(page.locator(".kp-msg").last).to_contain_text("发票号码", timeout=WAIT)
    expect(card.get_by_role("button", name="录入收票台账")).to_be_enabled()
    assert page.locator('[data-card="received_invoice"]').count() == 0

    # Corrected again, it is recorded with the value the clerk gave.
    field.fill(number)
    card.get_by_role("button", name="录入收票台账").click()
    recorded = page.locator('[data-card="received_invoice"]').last
    expect(recorded).to_contain_text(number, timeout=WAIT)
    expect(field).to_be_disabled()
    page.screenshot(path=shots / "5-corrected-and-recorded.png", full_page=True)
    listed = api.get("/received-invoices", params={"number": number}).json()
    assert [item["number"] for item in listed["items"]] == [number]
