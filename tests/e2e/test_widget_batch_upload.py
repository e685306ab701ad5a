"""A logged-in user uploads a batch file in the widget and sees the result row by row."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Stack

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
HEADERS = (
    "发票流水号,发票类型,购买方名称,购买方纳税人识别号,购买方地址,购买方电话,购买方开户银行,"
    "购买方银行账号,备注,购买方邮箱,纳税人识别号已核实,项目名称,税收分类编码,规格型号,单位,"
    "数量,单价,金额,税率,含税标志"
)
ROWS = [
    "1,数电普票,武汉批量客户有限公司,91420106MA49X8Q2Y7,,,,,,,,办公用品,,,,2,50,,13%,是",
    "2,数电普票,武汉批量客户有限公司,91420106MA49X8Q2Y7,,,,,,,,办公用品,,,,2,50,,7%,是",
]


def test_a_batch_upload_shows_what_was_issued_and_which_rows_were_refused(
    stack: Stack, browser: Browser, tmp_path: Path
) -> None:
    page = browser.new_page()
    page.goto(stack.app_url)
    page.get_by_label("密码").fill("Demo@2026!")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("status").first).to_have_text("已登录：demo", timeout=30_000)
    page.get_by_role("button", name="打开在线客服").click()
    results = page.locator('[data-card="batch_result"]')

    def upload(name: str, rows: list[str]) -> None:
        batch = tmp_path / name
        batch.write_text("\n".join([HEADERS, *rows]) + "\n", encoding="utf-8")
        with page.expect_file_chooser() as chooser:
            page.get_by_role("button", name="上传批量开票文件").click()
        chooser.value.set_files(str(batch))

    upload("有错误.csv", ROWS)
    refused = results.last
    expect(refused).to_contain_text("成功开具 0 张", timeout=30_000)
    expect(refused.locator("table.kp-rejected")).to_contain_text("税率“7%”不可用")

    upload("正确.csv", ROWS[:1])
    expect(results).to_have_count(2, timeout=30_000)
    expect(results.last).to_contain_text("成功开具 1 张，未通过 0 行")
    expect(results.last).to_contain_text("发票号码：")
    page.close()
