"""Partial red-letter invoices, the confirmation forms for both sides, and the buyer's
use confirmation, in chat against the real app.

The bot computes no money: a typed price-tax total is split by the app's preview, and
the part the red-letter request sends is the preview's amount. A partial red-letter
invoice always waits for the buyer's form; the buyer (a company of this system) confirms
or denies it from their own conversation, and the seller asks where it stands or
withdraws it. Every move is asked first and made only after a yes.
"""

from __future__ import annotations

from typing import Any

import pytest
from actions.offers import ActionDeclineOffer
from actions.red_letter import ActionAskRedConfirmed, ActionRedLetter, ValidateRedInvoiceForm
from actions.red_letter_forms import (
    ActionRedLetterFormDone,
    ActionRedLetterFormMove,
    ActionRedLetterForms,
)
from actions.use_confirmation import ActionAskUseConfirmation, ActionConfirmUse
from buyer_company import buyer_token, sold_to_buyer
from rasa_sdk.types import DomainDict
from served_app import App
from talk import Reply, Talk, cards, fields, slot_events, texts

SERVICE = {"name": "技术服务费", "quantity": "1", "unit_price": "10600", "tax_rate": "6%"}
GOODS = {"name": "办公椅", "quantity": "10", "unit_price": "500", "tax_rate": "13%"}


@pytest.fixture
def buyer_talk(app: App, domain: DomainDict) -> Talk:
    """A conversation of the buyer company's clerk."""
    return Talk(app.conversation(buyer_token(app)), domain)


def asked(talk: Talk, number: str, text: str) -> list[Reply]:
    """The seller's red-letter request, as the form's first validation answers it."""
    talk.user(text, "red_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("red_invoice_form")
    _, found = talk.act(ValidateRedInvoiceForm())
    return found


def reason_and_question(talk: Talk, reason: str = "销售折让") -> list[Reply]:
    """The reason given, and the question before the red-letter request."""
    talk.form("red_invoice_form", "red_reason")
    talk.user(reason, "inform", red_reason=reason)
    talk.act(ValidateRedInvoiceForm())
    talk.form("red_invoice_form", "red_confirmed")
    _, question = talk.act(ActionAskRedConfirmed())
    return question


def confirmed(talk: Talk) -> list[Reply]:
    """The yes, and what the red-letter action says."""
    talk.user("确认", "affirm", red_confirmed=True)
    talk.act(ValidateRedInvoiceForm())
    talk.form(None)
    _, said = talk.act(ActionRedLetter())
    return said


def forms_of(app: App, number: str) -> list[dict[str, Any]]:
    """The demo company's forms of one blue invoice."""
    items = app.api("GET", "/red-letter-forms", params={"size": 100}).json()["items"]
    return [form for form in items if form["blue_number"] == number]


def entered_part(talk: Talk, app: App, number: str, text: str) -> dict[str, Any]:
    """A partial red-letter request through to the form it enters; the form."""
    asked(talk, number, text)
    reason_and_question(talk)
    assert "填开红字确认单" in texts(confirmed(talk))
    [form] = forms_of(app, number)
    return form


def test_a_tax_inclusive_part_is_split_by_the_app_and_waits_for_the_buyer(
    talk: Talk, app: App
) -> None:
    number = app.issue("digital_general", "李娜", "培训费", "5300", "6%")

    found = asked(talk, number, f"红冲{number} 部分红冲2000元（含税）")

    [part] = cards(found, "invoice_draft")
    # The app's preview: 2000 with 6% tax inside is 1886.79 and 113.21.
    shown = fields(part)
    assert (shown["冲减金额（不含税）"], shown["冲减税额"]) == ("1886.79", "113.21")
    assert shown["冲减价税合计"] == "2000.00"
    assert "购买方确认" in texts(found)
    question = reason_and_question(talk)
    assert "部分红冲价税合计2000.00元" in texts(question), texts(question)
    assert "等待购买方确认" in texts(question)

    said = confirmed(talk)

    assert f"已为发票{number}填开红字确认单" in texts(said)
    assert "72小时" in texts(said)
    [form] = forms_of(app, number)
    assert (form["state"], form["lines"]) == ("02", [{"line_no": 1, "amount": "1886.79"}])
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"
    assert slot_events(talk.events)["red_part"] is None


def test_a_tax_exclusive_amount_is_sent_as_typed(talk: Talk, app: App) -> None:
    number = app.issue("digital_general", "李娜", "咨询费", "10600", "6%")

    found = asked(talk, number, f"{number}红冲3000（不含税）")

    assert fields(cards(found, "invoice_draft")[0])["冲减价税合计"] == "3180.00"
    reason_and_question(talk)
    confirmed(talk)
    [form] = forms_of(app, number)
    assert form["lines"] == [{"line_no": 1, "amount": "3000.00"}]


def test_on_a_multi_line_invoice_a_line_is_chosen_in_full_or_by_quantity(
    talk: Talk, app: App
) -> None:
    body = {"kind": "digital_general", "buyer": {"name": "王强"}, "lines": [SERVICE, GOODS]}
    number = app.api("POST", "/invoices", json=body).json()["number"]

    unclear = asked(talk, number, f"{number}部分红冲2000元")
    assert "这张发票有多行" in texts(unclear)
    assert slot_events(talk.events)["red_refusal"] == "red_part_unclear"
    talk.form(None)
    talk.act(ActionRedLetter())
    assert forms_of(app, number) == []

    by_quantity = asked(talk, number, f"退货，{number}第2行红冲3个")
    # 3 of the line's 500.00 (tax-exclusive) at 13%, as the app's preview has it.
    assert fields(cards(by_quantity, "invoice_draft")[0])["冲减金额（不含税）"] == "1500.00"
    talk.form("red_invoice_form", "red_reason")
    talk.user("销货退回", "inform", red_reason="销货退回")
    talk.act(ValidateRedInvoiceForm())
    talk.form("red_invoice_form", "red_confirmed")
    confirmed(talk)
    [form] = forms_of(app, number)
    assert form["lines"] == [{"line_no": 2, "amount": "1500.00"}]


def test_a_whole_line_sends_the_line_alone(talk: Talk, app: App) -> None:
    body = {"kind": "digital_general", "buyer": {"name": "王强"}, "lines": [SERVICE, GOODS]}
    number = app.api("POST", "/invoices", json=body).json()["number"]

    found = asked(talk, number, f"{number}红冲第1行")

    assert fields(cards(found, "invoice_draft")[0])["冲销行"] == "第1行 技术服务费"
    question = reason_and_question(talk, "服务终止")
    assert "红冲第1行（技术服务费）尚未冲销的全部金额" in texts(question)
    confirmed(talk)
    [form] = forms_of(app, number)
    assert form["lines"] == [{"line_no": 1, "amount": None}]


def test_the_buyer_sees_the_form_and_confirms_it_after_a_yes(
    talk: Talk, buyer_talk: Talk, app: App
) -> None:
    number = sold_to_buyer(app, [SERVICE])
    form = entered_part(talk, app, number, f"{number}部分红冲5300元（含税）")

    buyer_talk.user("有待确认的红字确认单吗", "red_letter_forms")
    events, listed = buyer_talk.act(ActionRedLetterForms())

    assert f"确认单{form['id']}（发票{number}）" in fields(cards(listed, "report")[0])
    assert "等待您确认" in texts(listed)
    assert slot_events(events)["offer"] == "red_form"
    buyer_talk.user("确认", "affirm")
    events, question = buyer_talk.act(ActionRedLetterFormMove())
    assert "确认后系统将立即开具红字发票" in texts(question)
    assert slot_events(events)["offer"] == "red_form_move"
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"

    buyer_talk.user("是的", "affirm")
    _, done = buyer_talk.act(ActionRedLetterFormDone())

    [red] = cards(done, "invoice")
    assert red["red"] and f"已确认红字确认单{form['id']}" in texts(done)
    assert fields(red)["价税合计"] == "-5300.00"
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "partly_red_flushed"

    talk.user("红字确认单到哪了", "red_letter_forms")
    _, seen = talk.act(ActionRedLetterForms())
    assert (
        "购销双方已确认" in fields(cards(seen, "report")[0])[f"确认单{form['id']}（发票{number}）"]
    )


def test_the_buyer_denies_a_form_and_a_no_to_the_question_changes_nothing(
    talk: Talk, buyer_talk: Talk, app: App
) -> None:
    number = sold_to_buyer(app, [SERVICE])
    form = entered_part(talk, app, number, f"{number}部分红冲1060元")

    buyer_talk.user(f"确认单{form['id']}拒绝，数量不对", "deny_red_letter_form")
    buyer_talk.act(ActionRedLetterFormMove())
    buyer_talk.user("不了", "deny")
    buyer_talk.act(ActionDeclineOffer())
    assert forms_of(app, number)[0]["state"] == "02"
    buyer_talk.user(f"拒绝确认单{form['id']}", "deny_red_letter_form")
    _, question = buyer_talk.act(ActionRedLetterFormMove())
    assert "确定拒绝吗" in texts(question)
    buyer_talk.user("是", "affirm")
    _, done = buyer_talk.act(ActionRedLetterFormDone())

    assert f"已拒绝红字确认单{form['id']}" in texts(done)
    assert forms_of(app, number)[0]["state"] == "05"
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"


def test_the_seller_withdraws_their_form_and_cannot_confirm_it(talk: Talk, app: App) -> None:
    number = sold_to_buyer(app, [SERVICE])
    form = entered_part(talk, app, number, f"{number}部分红冲1060元")

    talk.user(f"确认确认单{form['id']}", "confirm_red_letter_form")
    talk.act(ActionRedLetterFormMove())
    talk.user("是", "affirm")
    _, refused = talk.act(ActionRedLetterFormDone())
    assert forms_of(app, number)[0]["state"] == "02", texts(refused)
    assert texts(refused)  # the app's refusal, in its words

    talk.user(f"撤回确认单{form['id']}", "withdraw_red_letter_form")
    _, question = talk.act(ActionRedLetterFormMove())
    assert "确定撤销吗" in texts(question)
    talk.user("是", "affirm")
    _, done = talk.act(ActionRedLetterFormDone())

    assert f"已撤销红字确认单{form['id']}" in texts(done)
    assert forms_of(app, number)[0]["state"] == "08"


def test_the_buyers_use_confirmation_after_a_yes_makes_a_full_red_letter_wait(
    talk: Talk, buyer_talk: Talk, app: App
) -> None:
    number = sold_to_buyer(app, [SERVICE])

    buyer_talk.user(f"发票{number}用途确认抵扣", "confirm_invoice_use", {"invoice_number": number})
    events, question = buyer_talk.act(ActionAskUseConfirmation())
    assert f"确认将发票{number}的用途确认为“抵扣”吗" in texts(question)
    assert slot_events(events)["offer"] == "use_confirmation"
    buyer_talk.user("确认", "affirm")
    _, done = buyer_talk.act(ActionConfirmUse())
    assert texts(done) == f"已将发票{number}的用途确认为“抵扣”。"

    buyer_talk.user(f"发票{number}不抵扣", "confirm_invoice_use", {"invoice_number": number})
    buyer_talk.act(ActionAskUseConfirmation())
    buyer_talk.user("确认", "affirm")
    _, again = buyer_talk.act(ActionConfirmUse())
    assert texts(again) and "已将" not in texts(again)  # the app's refusal, in its words

    # The seller's full red-letter invoice now waits for the buyer's form.
    asked(talk, number, f"红冲{number}")
    reason_and_question(talk, "开票有误")
    assert "填开红字确认单" in texts(confirmed(talk))
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"


def test_a_use_confirmation_without_an_invoice_or_a_use_asks_for_it(buyer_talk: Talk) -> None:
    buyer_talk.user("用途确认", "confirm_invoice_use")
    events, which = buyer_talk.act(ActionAskUseConfirmation())
    assert "请提供要做用途确认的发票号码" in texts(which)
    assert slot_events(events)["offer"] is None

    number = "24420000000000000001"
    buyer_talk.user(f"发票{number}用途确认", "confirm_invoice_use", {"invoice_number": number})
    _, use = buyer_talk.act(ActionAskUseConfirmation())
    assert "“抵扣”还是“不抵扣”" in texts(use)
