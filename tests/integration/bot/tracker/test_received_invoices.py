"""The received-invoice ledger (收票台账) in chat, against the real app: "这张发票报销过吗",
"把这张标记为已报销" (asked, then done after the yes) and "本月收到多少专票".

"这张" is the invoice the app sends in the message's metadata (last_received_invoice),
recognised from the PDF of an invoice issued here and recorded through the app's API.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta, timezone
from typing import Any

import requests
from actions.receipt_state import ActionChangeReceiptState, ActionMarkReceivedInvoice
from actions.received_invoices import ActionCheckReceivedInvoice
from actions.received_summary import ActionReceivedInvoiceSummary
from rasa_sdk.types import DomainDict
from served_app import APP_PYTHON, ROOT, App
from talk import Talk, buttons, cards, fields, slot_events, texts

DEMO = "演示开票员"
VIEWER = {"username": "ledger-viewer", "password": "Viewer@2026!"}
DEMO_COMPANY = "91420100MA4K5R3T13"


def recognised(app: App) -> dict[str, Any]:
    """An invoice issued here, its PDF read by the app as one received: the recognition."""
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    issued = app.api("POST", "/invoices", json=body)
    assert issued.status_code == 201, issued.text
    pdf = app.api("GET", f"/invoices/{issued.json()['number']}/pdf").content
    read = app.api("POST", "/recognitions", files={"file": ("供应商发票.pdf", pdf)})
    assert read.status_code == 201, read.text
    recognition: dict[str, Any] = read.json()
    return recognition


def recorded(app: App) -> dict[str, Any]:
    """An invoice recorded in the demo company's ledger: the entry."""
    body = {"recognition_id": recognised(app)["id"]}
    response = app.api("POST", "/received-invoices", json=body)
    assert response.status_code == 201, response.text
    entry: dict[str, Any] = response.json()
    return entry


def about(entry: dict[str, Any], channel: str = "widget") -> dict[str, Any]:
    """The metadata the app sends after the invoice was recorded in the conversation."""
    invoice = {"kind": entry["kind"], "code": entry["code"], "number": entry["number"]}
    last = {**invoice, "received_invoice_id": entry["id"]}
    return {"channel": channel, "logged_in": True, "last_received_invoice": last}


def read_only(recognition: dict[str, Any], channel: str = "widget") -> dict[str, Any]:
    """The metadata after the invoice was read but not recorded."""
    values = {name: recognition["fields"][name]["value"] or None for name in ("kind", "number")}
    last = {**values, "code": None, "received_invoice_id": None}
    return {"channel": channel, "logged_in": True, "last_received_invoice": last}


def state_of(app: App, entry: dict[str, Any]) -> str:
    state: str = app.api("GET", f"/received-invoices/{entry['id']}").json()["state"]
    return state


def today_in_china() -> str:
    return datetime.now(timezone(timedelta(hours=8))).date().isoformat()


def test_this_invoice_is_said_recorded_then_marked_reimbursed_after_the_yes(
    talk: Talk, app: App
) -> None:
    entry = recorded(app)
    number, day = entry["number"], today_in_china()

    talk.user("这张发票报销过吗", "check_received_invoice", metadata=about(entry))
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert texts(replies) == (
        f"发票{number}（武汉示例科技有限公司，价税合计1130.00元）在收票台账中，"
        f"状态：已录入，{day}由{DEMO}录入。"
    )

    talk.user("把这张标记为已报销", "mark_received_invoice", metadata=about(entry))
    events, replies = talk.act(ActionMarkReceivedInvoice())
    assert texts(replies).startswith(f"确认把发票{number}（")
    assert "标记为“已报销”吗？标记后不能再更改。" in texts(replies)
    assert buttons(replies) == {"确认标记": "/affirm", "取消": "/deny"}
    change = {"id": entry["id"], "number": number, "state": "reimbursed"}
    assert slot_events(events) == {"receipt_change": change, "offer": "receipt_state"}
    assert state_of(app, entry) == "recorded"  # nothing before the yes

    talk.user("是", "affirm", metadata=about(entry))
    events, replies = talk.act(ActionChangeReceiptState())
    assert texts(replies) == f"已把发票{number}标记为“已报销”。"
    assert slot_events(events) == {"receipt_change": None, "offer": None}
    assert state_of(app, entry) == "reimbursed"

    talk.user("这张发票报销过吗", "check_received_invoice", metadata=about(entry))
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert f"状态：已报销，{day}由{DEMO}标记；{day}由{DEMO}录入。" in texts(replies)

    # Once moved, it moves no more: said at once, nothing asked.
    talk.user("标记为已抵扣", "mark_received_invoice", metadata=about(entry))
    events, replies = talk.act(ActionMarkReceivedInvoice())
    assert "状态：已报销" in texts(replies)
    assert texts(replies).endswith("这张发票在台账中的状态已不能再更改。")
    assert slot_events(events) == {}


def test_an_invoice_read_but_not_recorded_can_be_recorded_and_a_typed_number_comes_first(
    talk: Talk, app: App
) -> None:
    recognition = recognised(app)
    number = recognition["fields"]["number"]["value"]

    talk.user("这张票录入过没有", "check_received_invoice", metadata=read_only(recognition))
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert texts(replies) == (
        f"收票台账里没有这张发票（{number}）：它已识别，还没有录入，"
        "核对识别结果后点“录入收票台账”即可录入。"
    )
    talk.user(
        "这张票录入过没有", "check_received_invoice", metadata=read_only(recognition, "wecom")
    )
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert texts(replies).endswith("核对识别结果后回复“录入”即可录入。")

    # A number typed names another invoice than the one read: that one is looked up.
    other = recorded(app)
    typed = f"发票 {other['number']} 报销了吗"
    entities = {"invoice_number": other["number"]}
    talk.user(typed, "check_received_invoice", entities, metadata=read_only(recognition))
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert texts(replies).startswith(f"发票{other['number']}（")
    assert "状态：已录入" in texts(replies)

    unknown = "26422000000099999999"
    talk.user(f"{unknown}报销了吗", "check_received_invoice", {"invoice_number": unknown})
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert texts(replies) == f"收票台账里没有发票{unknown}。"


def test_without_an_invoice_read_or_named_the_bot_asks_which(talk: Talk) -> None:
    talk.user("这张发票报销过吗", "check_received_invoice", metadata={"channel": "widget"})
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert texts(replies) == "请问是哪张发票？请发送发票号码，或先把发票照片发给我识别。"

    talk.user("把这张标记为已报销", "mark_received_invoice")
    events, replies = talk.act(ActionMarkReceivedInvoice())
    assert texts(replies) == "请问是哪张发票？请发送发票号码，或先把发票照片发给我识别。"
    assert slot_events(events) == {}


def test_a_mark_without_a_state_offers_the_states_it_may_move_to(talk: Talk, app: App) -> None:
    entry = recorded(app)
    talk.user("标记一下这张票", "mark_received_invoice", metadata=about(entry))
    events, replies = talk.act(ActionMarkReceivedInvoice())
    number = entry["number"]
    assert texts(replies) == f"要把发票{number}标记为哪种状态？"
    assert buttons(replies) == {
        name: f"把发票{number}标记为{name}" for name in ("已拒收", "已抵扣", "已报销")
    }
    assert slot_events(events) == {}


def test_the_apps_refusal_after_the_yes_is_said_in_its_words(talk: Talk, app: App) -> None:
    entry = recorded(app)
    talk.user("这张已经报销了", "mark_received_invoice", metadata=about(entry))
    talk.act(ActionMarkReceivedInvoice())
    # Someone else decides first, in the web app.
    moved = app.api("POST", f"/received-invoices/{entry['id']}/state", json={"state": "deducted"})
    assert moved.status_code == 200, moved.text

    talk.user("是", "affirm", metadata=about(entry))
    events, replies = talk.act(ActionChangeReceiptState())
    again = app.api("POST", f"/received-invoices/{entry['id']}/state", json={"state": "reimbursed"})
    assert again.status_code == 409
    assert texts(replies) == again.json()["error"]["message"]
    assert "不能改为“已报销”" in texts(replies)
    assert slot_events(events) == {"receipt_change": None, "offer": None}
    assert state_of(app, entry) == "deducted"


def test_a_viewer_reads_the_ledger_but_is_refused_the_change_in_the_apps_words(
    app: App, domain: DomainDict
) -> None:
    entry = recorded(app)
    talk = Talk(app.conversation(viewer_token(app)), domain)
    talk.user("这张发票报销过吗", "check_received_invoice", metadata=about(entry))
    _, replies = talk.act(ActionCheckReceivedInvoice())
    assert "状态：已录入" in texts(replies)

    talk.user("拒收这张", "mark_received_invoice", metadata=about(entry))
    _, replies = talk.act(ActionMarkReceivedInvoice())
    assert "标记为“已拒收”吗" in texts(replies)
    talk.user("是", "affirm", metadata=about(entry))
    _, replies = talk.act(ActionChangeReceiptState())

    headers = {"Authorization": f"Bearer {viewer_token(app)}"}
    refused = requests.post(
        f"{app.url}/api/v1/received-invoices/{entry['id']}/state",
        json={"state": "rejected"},
        headers=headers,
        timeout=30,
    )
    assert refused.status_code == 403
    assert texts(replies) == refused.json()["error"]["message"]
    assert state_of(app, entry) == "recorded"


def test_an_anonymous_conversation_is_asked_to_log_in(anonymous_talk: Talk) -> None:
    anonymous_talk.user(
        "这张发票报销过吗", "check_received_invoice", {"invoice_number": "26422000000012345678"}
    )
    _, replies = anonymous_talk.act(ActionCheckReceivedInvoice())
    [card] = cards(replies, "login")
    assert "需要先登录" in texts(replies) and card["title"] == "登录开票账号"


def test_a_months_received_invoices_are_summed_by_the_app(talk: Talk, app: App) -> None:
    recorded(app)
    month = datetime.now(timezone(timedelta(hours=8))).date()
    summary = app.api("GET", "/received-invoices/summary", params={"month": f"{month:%Y-%m}"})
    figures = summary.json()

    talk.user("本月收到多少专票", "received_invoice_summary", {"date": "本月"})
    _, replies = talk.act(ActionReceivedInvoiceSummary())
    title = f"{month.year}年{month.month}月收票汇总"
    assert texts(replies) == (
        f"{title}：收到发票{figures['count']}张，税额合计{figures['tax']}元，"
        f"其中专用发票税额{figures['special_tax']}元（按开票日期统计，不含已拒收的发票）。"
    )
    [card] = cards(replies, "report")
    rows = fields(card)
    assert card["title"] == title and rows["收到发票份数"] == str(figures["count"])
    [special] = [kind for kind in figures["by_kind"] if kind["kind"] == "digital_special"]
    assert rows[special["label"]].startswith(f"{special['count']}张，")

    talk.user("上个月进项税多少", "received_invoice_summary", {"date": "上个月"})
    _, replies = talk.act(ActionReceivedInvoiceSummary())
    last = (month.replace(day=1) - timedelta(days=1)).replace(day=1)
    assert texts(replies).startswith(f"{last.year}年{last.month}月收票汇总：收到发票0张，")

    talk.user("今年收了多少进项", "received_invoice_summary", {"date": "今年"})
    _, replies = talk.act(ActionReceivedInvoiceSummary())
    assert texts(replies) == "收票汇总按月统计，请告诉我月份，例如“本月”“上个月”“10月”。"


def viewer_token(app: App) -> str:
    """A viewer of the demo company (created once), logged in."""
    login = requests.post(f"{app.url}/api/v1/auth/token", json=VIEWER, timeout=30)
    if login.status_code != 200:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{app.database}"}
        command = ["-m", "invoicing_core", "create-user", "--username", VIEWER["username"]]
        command += ["--role", "viewer", "--company-tax-id", DEMO_COMPANY]
        subprocess.run(
            [APP_PYTHON, *command],
            input=VIEWER["password"],
            text=True,
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        login = requests.post(f"{app.url}/api/v1/auth/token", json=VIEWER, timeout=30)
    assert login.status_code == 200, login.text
    token: str = login.json()["access_token"]
    return token
