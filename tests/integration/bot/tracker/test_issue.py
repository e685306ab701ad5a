"""Issuing through issue_invoice_form: the app's preview before the yes, the invoice after."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from actions.issue import ActionAskIssueConfirmed, ActionIssueInvoice
from actions.issue_form import ValidateIssueInvoiceForm
from served_app import App
from talk import Talk, buttons, cards, fields, slot_events, texts

ONE_SENTENCE = "给武汉光谷科技有限公司开一张专票，税号91420106MA49X8Q2Y7，技术服务费10600元，税率6%"
DETAILS: dict[str, Any] = {
    "invoice_kind": "digital_special",
    "buyer_name": "武汉光谷科技有限公司",
    "tax_id": "91420106MA49X8Q2Y7",
    "item": "技术服务费",
    "amount": "10600元",
    "tax_rate": "6%",
}


def test_an_invoice_is_issued_after_the_apps_summary_and_an_explicit_yes(
    talk: Talk, app: App
) -> None:
    talk.user(ONE_SENTENCE, "issue_invoice", entities=DETAILS, **DETAILS)
    talk.form("issue_invoice_form")
    validated, _ = talk.act(ValidateIssueInvoiceForm())
    assert slot_events(validated)["amount"] == "10600.00"
    assert slot_events(validated)["buyer_type"] == "enterprise"  # the app's reading

    talk.form("issue_invoice_form", "issue_confirmed")
    _, summary = talk.act(ActionAskIssueConfirmed())
    [draft] = cards(summary, "invoice_draft")
    shown = fields(draft)
    # The app's preview: its kind label, the tax and the uppercase total, before the yes.
    assert shown["发票类型"] == "数电发票（增值税专用发票）"
    assert (shown["税额"], shown["价税合计（大写）"]) == ("600.00", "壹万零陆佰圆整")
    assert summary[0].text == "将开具以下发票，金额按含税价计算："
    assert "信息无误请回复“确认”开具" in summary[1].text
    assert buttons(summary) == {"确认开具": "/affirm", "取消": "/deny"}

    talk.user("确认", "affirm", issue_confirmed=True)
    talk.form(None)
    events, issued = talk.act(ActionIssueInvoice())
    [card] = cards(issued, "invoice")
    number = card["number"]
    assert issued[0].text == "发票已开具。"
    assert issued[1].text == "需要下载这张发票的PDF吗？"
    pdf = f'/download_invoice{{"invoice_number":"{number}"}}'
    assert buttons(issued) == {"下载PDF": pdf, "不用了": "/deny"}
    set_now = slot_events(events)
    assert (set_now["current_invoice"], set_now["offer"]) == (number, "pdf")
    assert set_now["issue_confirmed"] is None  # the form's answers are forgotten

    invoice = app.api("GET", f"/invoices/{number}").json()
    assert invoice["buyer"] == {**invoice["buyer"], "tax_id": "91420106MA49X8Q2Y7"}
    assert (invoice["kind"], invoice["total_with_tax"]) == ("digital_special", "10600.00")


def test_a_no_to_the_summary_issues_nothing(talk: Talk, app: App) -> None:
    before = app.api("GET", "/invoices").json()["total"]
    talk.user("算了不开了", "deny", issue_confirmed=False, **DETAILS)
    talk.form(None)

    _, replies = talk.act(ActionIssueInvoice())

    assert texts(replies) == "好的，这张发票不开了，已取消。还有什么可以帮您？"
    assert app.api("GET", "/invoices").json()["total"] == before


def test_an_invoice_the_companys_rules_hold_back_is_said_to_wait_for_approval(
    talk: Talk, app: App
) -> None:
    held = {**DETAILS, "buyer_name": "武汉审批示例有限公司", "tax_id": "91420100MA0424242B"}
    rules = app.as_admin("PUT", "/approval-rules", json={"buyers": [held["tax_id"]]})
    assert rules.status_code == 200, rules.text  # only this buyer's invoices wait
    before = app.api("GET", "/invoices", params={"size": 100}).json()["total"]

    talk.user("开专票", "issue_invoice", entities=held, **held)
    talk.form("issue_invoice_form")
    talk.act(ValidateIssueInvoiceForm())
    talk.form("issue_invoice_form", "issue_confirmed")
    talk.act(ActionAskIssueConfirmed())
    talk.user("确认", "affirm", issue_confirmed=True)
    talk.form(None)
    events, said = talk.act(ActionIssueInvoice())

    mine = app.api("GET", "/approvals", params={"mine": "requester"}).json()["items"]
    # The demo clerk's requests in other tests wait too: this one is to the held buyer.
    [request] = [r for r in mine if r["content"]["invoice"]["buyer"]["tax_id"] == held["tax_id"]]
    deadline = datetime.fromisoformat(request["deadline"].replace("Z", "+00:00"))
    in_china = deadline.astimezone(timezone(timedelta(hours=8)))
    assert texts(said) == (
        f"已提交审批（审批单 {request['id']}）：购买方91420100MA0424242B在审批名单中。"
        "审批通过后将以您的名义开具发票，现在还没有开具发票；"
        f"{in_china:%Y-%m-%d %H:%M} 前无人处理，申请将自动失效。"
    )
    assert request["state"] == "pending"
    assert cards(said, "invoice") == []
    assert slot_events(events)["issue_confirmed"] is None
    assert app.api("GET", "/invoices", params={"size": 100}).json()["total"] == before
