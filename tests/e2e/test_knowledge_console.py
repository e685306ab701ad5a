"""The knowledge page in Chromium (desktop and phone): an editor writes an entry, previews it,
publishes it, edits and rolls back, and imports a sheet with a bad row; a clerk's answer in
the widget shows its basis and takes a 👎. Screenshots of each step are kept."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict

import httpx
import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import Stack
from tests.workbooks import workbook

pytestmark = [pytest.mark.e2e, pytest.mark.browser]
WAIT = 60_000
DESKTOP: ViewportSize = {"width": 1280, "height": 860}
PHONE: ViewportSize = {"width": 390, "height": 844}
QUESTION = "发票上的收款人和复核人一栏必须填写吗"


@pytest.fixture(params=["desktop", "phone"])
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    viewport = DESKTOP if request.param == "desktop" else PHONE
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


def shot(page: Page, artefacts: Path, name: str) -> None:
    page.screenshot(path=artefacts / f"knowledge-{name}-{page.viewport_name}.png", full_page=True)  # type: ignore[attr-defined]


def log_in(page: Page, stack: Stack, username: str, password: str) -> None:
    page.goto(f"{stack.app_url}/console/knowledge")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录", exact=True).click()
    expect(page.locator("#me")).to_contain_text("（", timeout=WAIT)


def test_an_editor_writes_previews_publishes_and_rolls_back_an_entry(
    page: Page, stack: Stack, artefacts: Path
) -> None:
    log_in(page, stack, "editor", "Editor@2026!")
    expect(page.locator("#review")).not_to_be_empty(timeout=WAIT)
    entry_id = f"rules.payee_{uuid.uuid4().hex[:6]}"

    page.get_by_role("button", name="新建条目", exact=True).click()
    page.get_by_label("条目 id").fill(entry_id)
    page.get_by_label("标准问题").fill(QUESTION)
    # Phrasings as taxpayers write them; with two the base only suggests the entry.
    page.get_by_label("其他问法（每行一个）").fill(
        "收款人 复核人 要填吗\n复核人可以空着吗\n复核人一栏不填有没有影响\n收款人复核人不写行吗"
    )
    page.get_by_label("答案").fill(
        "不是必填项。收款人、复核人栏按企业内部管理需要填写，不影响发票效力。"
    )
    page.get_by_label("依据（每行一个：文件名称 条款 网址）").fill(
        "《中华人民共和国发票管理办法实施细则》"
    )
    page.get_by_label("施行日期").fill("2024-03-01")
    page.get_by_label("预览提问").fill("复核人那一栏不填行不行")
    page.get_by_role("button", name="预览", exact=True).click()
    expect(page.locator("#preview")).to_contain_text(f"会直接回答：{entry_id}", timeout=WAIT)
    shot(page, artefacts, "preview")

    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("#notice")).to_contain_text(f"已保存 {entry_id}", timeout=WAIT)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("已发布", timeout=WAIT)
    assert search(stack, QUESTION)["hits"][0]["id"] == entry_id

    page.get_by_label("答案").fill("改过的答案：不必填写。")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.get_by_role("list", name="版本记录").get_by_role("listitem")).to_have_count(
        2, timeout=WAIT
    )
    page.get_by_role("button", name="回滚到此版本", exact=True).click()
    expect(page.locator("#notice")).to_contain_text(f"已回滚 {entry_id}", timeout=WAIT)
    expect(page.get_by_label("答案")).to_have_value(
        "不是必填项。收款人、复核人栏按企业内部管理需要填写，不影响发票效力。"
    )
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("已发布", timeout=WAIT)
    assert search(stack, QUESTION)["hits"][0]["answer"].startswith("不是必填项")
    shot(page, artefacts, "rolled-back")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="删除", exact=True).click()
    expect(page.locator("#notice")).to_contain_text(f"已删除 {entry_id}", timeout=WAIT)
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#notice")).to_contain_text("已发布", timeout=WAIT)
    assert search(stack, QUESTION)["hits"][0]["id"] != entry_id


def test_an_import_with_a_bad_row_shows_the_row_and_changes_nothing(
    page: Page, stack: Stack, artefacts: Path, tmp_path: Path
) -> None:
    log_in(page, stack, "editor", "Editor@2026!")
    sheet = tmp_path / "kb.xlsx"
    sheet.write_bytes(
        workbook(
            [
                ["id", "question", "answer", "effective_date"],
                ["imp.one", "问一", "答一", "2024-01-01"],
                ["imp.two", "问二", "答二", "下个月"],
            ]
        )
    )

    page.get_by_label("导入 .xlsx").set_input_files(str(sheet))
    page.get_by_role("button", name="导入", exact=True).click()

    errors = page.locator("#import-result table")
    expect(errors).to_contain_text("effective_date", timeout=WAIT)
    expect(errors.locator("td").first).to_have_text("3")
    expect(page.locator("#notice")).to_contain_text("未导入任何条目")
    shot(page, artefacts, "import-error")


def test_a_company_admin_reads_the_review_but_cannot_edit(page: Page, stack: Stack) -> None:
    log_in(page, stack, "admin", "Admin@2026!")
    expect(page.locator("#me")).to_contain_text("企业管理员")
    expect(page.get_by_role("button", name="发布", exact=True)).to_be_hidden()
    expect(page.get_by_role("button", name="新建条目", exact=True)).to_be_hidden()


def test_a_widget_answer_shows_its_basis_and_takes_a_thumbs_down(
    page: Page, stack: Stack, artefacts: Path
) -> None:
    page.goto(stack.app_url)
    page.get_by_role("button", name="打开在线客服", exact=True).click()
    page.get_by_label("输入消息").fill("电子发票开错了能作废吗")
    page.get_by_role("button", name="发送", exact=True).click()
    answer = page.locator(".kp-msg.kp-bot", has=page.locator(".kp-basis")).last
    expect(answer.locator(".kp-basis")).to_contain_text("依据：", timeout=WAIT)
    expect(answer).not_to_contain_text("可以。")
    answer.get_by_role("button", name="没用", exact=True).click()
    expect(answer).to_contain_text("感谢您的反馈")
    shot(page, artefacts, "widget-feedback")


class Hit(TypedDict):
    """The fields of a search hit these tests read (knowledge/result.py: Hit.to_json)."""

    id: str
    answer: str


class Found(TypedDict):
    """The search's body, as far as these tests read it."""

    answered: bool
    hits: list[Hit]


def search(stack: Stack, question: str) -> Found:
    response = httpx.get(
        f"{stack.app_url}/api/v1/knowledge/search", params={"q": question}, timeout=30
    )
    body: Found = response.json()
    return body
