"""A logged-in user uploads a batch file in the widget: a preview first, then their choice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import Stack
from tests.e2e.pages import WAIT, Widget, log_in_as_demo

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
HEADERS = (
    "发票流水号,发票类型,购买方名称,购买方纳税人识别号,购买方地址,购买方电话,购买方开户银行,"
    "购买方银行账号,备注,购买方邮箱,纳税人识别号已核实,项目名称,税收分类编码,规格型号,单位,"
    "数量,单价,金额,税率,含税标志"
)
ROW = "{serial},数电普票,武汉批量客户有限公司,91420106MA49X8Q2Y7,,,,,,,,办公用品,,,,2,50,,{rate},是"


def test_a_batch_is_previewed_and_the_user_chooses_what_to_issue(
    stack: Stack, page: Page, tmp_path: Path, shots: Path
) -> None:
    log_in_as_demo(page, stack.app_url)
    widget = Widget(page)
    widget.say("我要批量开票")
    template = page.get_by_role("button", name="下载批量开票模板").last
    with page.expect_download() as download:
        template.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"PK")  # the workbook, not a bare path in the text
    expect(widget.messages).not_to_contain_text("/api/v1")
    first, second = (f"E{time.time_ns() % 10**12}{n}" for n in (1, 2))
    good, bad = ROW.format(serial=first, rate="13%"), ROW.format(serial=second, rate="7%")

    def choose_file(name: str, rows: list[str]) -> Path:
        batch = tmp_path / name
        batch.write_text("\n".join([HEADERS, *rows]) + "\n", encoding="utf-8")
        return batch

    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="上传批量开票文件").click()
    chooser.value.set_files(str(choose_file("有错误.csv", [good, bad])))
    preview = page.locator('[data-card="batch_preview"]').last
    expect(preview).to_contain_text("可开具 1 张，价税合计 100.00 元", timeout=WAIT)
    expect(preview.locator("table.kp-rejected")).to_contain_text("税率“7%”不可用")
    expect(preview.get_by_role("button", name="只开具正确的 1 张")).to_be_visible()
    assert page.locator('[data-card="batch_result"]').count() == 0  # nothing issued yet
    page.screenshot(path=shots / "1-preview-with-a-bad-row.png")

    # The user fixes the file first instead of issuing the good row alone.
    with page.expect_file_chooser() as chooser:
        preview.get_by_role("button", name="修改文件后重新上传").click()
    chooser.value.set_files(str(choose_file("已修改.csv", [good, bad.replace("7%", "6%")])))
    fixed = page.locator('[data-card="batch_preview"]').nth(1)
    expect(fixed).to_contain_text("可开具 2 张", timeout=WAIT)
    fixed.get_by_role("button", name="确认开具 2 张").click()
    result = page.locator('[data-card="batch_result"]').last
    expect(result).to_contain_text("成功开具 2 张。", timeout=WAIT)
    page.screenshot(path=shots / "2-issued.png")

    # The previews and the result are part of the conversation: a reload shows them again.
    page.reload()
    widget = Widget(page)
    expect(page.locator('[data-card="batch_result"]')).to_have_count(1, timeout=WAIT)
    expect(page.locator('[data-card="batch_preview"]')).to_have_count(2)
    for button in page.locator('[data-card="batch_preview"] button').all():
        expect(button).to_be_disabled()  # the choice was made: nothing to issue twice
    expect(widget.messages).to_contain_text("上传批量开票文件：已修改.csv")
