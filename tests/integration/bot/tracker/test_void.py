"""Voiding: the app says whether an invoice may be voided, with the invoice and after the yes.

The bot keeps no copy of the void rule (invoicing_core's ensure_voidable). The invoice the
app sends carries the rule's verdict (`void`), so an invoice that cannot be voided is
refused as soon as it is found, in the app's words, with the red-letter invoice offered
only when the code says that is the remedy (`void_not_allowed`). The app still judges the
void after the yes, and its refusal then is shown the same way.
"""

from __future__ import annotations

import sqlite3

import pytest
from actions.red_letter import ActionRedLetter, ValidateRedInvoiceForm
from actions.void import ActionVoidInvoice, ValidateVoidInvoiceForm
from served_app import App
from talk import Reply, Talk, buttons, cards, fields, slot_events, texts


def found_and_confirmed(talk: Talk, number: str, reason: str = "金额开错了") -> None:
    """The void form from "作废<number>" to the yes, as Rasa runs it."""
    talk.user(f"作废{number}", "void_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("void_invoice_form")
    _, found = talk.act(ValidateVoidInvoiceForm())
    assert [card["number"] for card in cards(found, "invoice")] == [number]
    assert found[0].text.startswith("找到这张发票。作废后这张发票将标记为“已作废”")
    talk.form("void_invoice_form", "void_reason")
    talk.user(reason, "inform", void_reason=reason)
    talk.act(ValidateVoidInvoiceForm())
    talk.form("void_invoice_form", "void_confirmed")
    talk.user("确认作废", "affirm", void_confirmed=True)
    talk.act(ValidateVoidInvoiceForm())
    talk.form(None)


def test_a_void_the_companys_rules_hold_back_is_said_to_wait_for_approval(
    talk: Talk, app: App
) -> None:
    number = app.issue("paper_general", "王强", "办公用品", "565", "13%")
    assert app.as_admin("PUT", "/approval-rules", json={"void": True}).status_code == 200
    try:
        found_and_confirmed(talk, number)
        _, said = talk.act(ActionVoidInvoice())
    finally:  # the other tests void without approval
        assert app.as_admin("PUT", "/approval-rules", json={}).status_code == 200

    assert texts(said).startswith("已提交审批（审批单 ")
    assert "：作废发票须经审批。审批通过后将以您的名义作废发票，现在还没有作废发票；" in texts(said)
    assert cards(said, "invoice") == []
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"


def test_a_paper_invoice_of_this_month_is_voided(talk: Talk, app: App) -> None:
    number = app.issue("paper_general", "王强", "办公用品", "565", "13%")
    found_and_confirmed(talk, number)

    events, replies = talk.act(ActionVoidInvoice())

    assert replies[0].text == f"发票{number}已作废。"
    [card] = cards(replies, "invoice")
    assert (fields(card)["状态"], fields(card)["作废原因"]) == ("已作废", "金额开错了")
    assert slot_events(events)["current_invoice"] == number
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "voided"


def asked_to_void(talk: Talk, number: str) -> tuple[dict[str, object], list[Reply]]:
    """ "作废<number>": the void form's first turn, as Rasa runs it; (slots set, replies)."""
    talk.user(f"作废{number}", "void_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("void_invoice_form")
    events, replies = talk.act(ValidateVoidInvoiceForm())
    return slot_events(events), replies


def red_letter_taken(talk: Talk, number: str, taken_by: str) -> list[dict[str, object]]:
    """A yes, or the offer's button, to "需要改为开具红字发票吗？": the red-letter form's
    first turn; its events."""
    offer = f'/red_invoice{{"invoice_number":"{number}"}}'
    if taken_by == "a yes":
        talk.user("好的", "affirm")
    else:
        talk.user(offer, "red_invoice", {"invoice_number": number}, invoice_number=number)
        talk.set(offer=None)  # any answer but a yes or a no lets the offer lapse
    talk.form("red_invoice_form")
    started, _ = talk.act(ValidateRedInvoiceForm())
    return started


def red_lettered(talk: Talk, app: App, number: str) -> None:
    """From the red-letter form's yes to the red-letter invoice."""
    talk.form("red_invoice_form", "red_confirmed")
    talk.user("确认红冲", "affirm", red_confirmed=True)
    talk.act(ValidateRedInvoiceForm())
    talk.form(None)
    _, done = talk.act(ActionRedLetter())
    [red] = cards(done, "invoice")
    assert done[0].text == f"已为发票{number}开具红字发票{red['number']}。"
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "red_flushed"


@pytest.mark.parametrize("taken_by", ["a yes", "its button"])
def test_a_digital_invoice_is_refused_when_found_and_the_red_letter_invoice_offered(
    talk: Talk, app: App, taken_by: str
) -> None:
    number = app.issue("digital_general", "李娜", "培训费", "1060", "6%")
    verdict = app.api("GET", f"/invoices/{number}").json()["void"]
    assert (verdict["allowed"], verdict["code"]) == (False, "void_not_allowed")

    slots, refused = asked_to_void(talk, number)

    # At once, before any reason or yes: the invoice, the app's words and the offer.
    assert [card["number"] for card in cards(refused, "invoice")] == [number]
    assert refused[0].text == "找到这张发票："
    assert refused[1].text == f"{verdict['message']}\n需要改为开具红字发票冲销这张发票吗？"
    offer = f'/red_invoice{{"invoice_number":"{number}"}}'
    assert buttons(refused) == {"开红字发票": offer, "不用了": "/deny"}
    assert "作废原因" not in texts(refused)
    assert slots == {
        "invoice_number": number,
        "current_invoice": number,
        "void_refusal": "void_not_allowed",
        "offer": "red_letter",
        "requested_slot": None,
    }
    talk.form(None)
    events, said = talk.act(ActionVoidInvoice())
    assert said == []  # the form said it all
    assert slot_events(events) == {"invoice_number": None, "void_refusal": None}

    # The red-letter form starts on the refused invoice and asks why: no reason was given.
    started = red_letter_taken(talk, number, taken_by)
    assert slot_events(started) | {"offer": None} == {
        "invoice_number": number,
        "current_invoice": number,
        "offer": None,
    }
    talk.form("red_invoice_form", "red_reason")
    talk.user("开票有误", "inform", red_reason="开票有误")
    talk.act(ValidateRedInvoiceForm())
    red_lettered(talk, app, number)


def test_an_invoice_already_voided_is_refused_when_found_without_an_offer(
    talk: Talk, app: App
) -> None:
    number = app.issue("paper_general", "王强", "办公用品", "226", "13%")
    assert app.api("POST", f"/invoices/{number}/void", json={"reason": "开错"}).status_code == 200

    slots, refused = asked_to_void(talk, number)

    [card] = cards(refused, "invoice")
    assert fields(card)["状态"] == "已作废"
    assert texts(refused) == "找到这张发票：\n该发票状态为“已作废”，不能作废。"
    assert buttons(refused) == {}
    assert slots["void_refusal"] == "invoice_not_voidable_in_status"
    assert "offer" not in slots
    talk.form(None)
    assert talk.act(ActionVoidInvoice())[1] == []


@pytest.mark.parametrize("taken_by", ["a yes", "its button"])
def test_the_apps_refusal_after_the_yes_is_shown_and_the_red_letter_invoice_taken_instead(
    talk: Talk, app: App, taken_by: str
) -> None:
    number = app.issue("paper_general", "王强", "打印纸", "339", "13%")

    def reported() -> None:
        # Reported to the tax bureau (抄税) between the turns, which only the tax system records.
        with sqlite3.connect(app.database) as database:
            database.execute("UPDATE invoices SET reported = 1 WHERE number = ?", (number,))

    talk.user(f"作废{number}", "void_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("void_invoice_form")
    _, found = talk.act(ValidateVoidInvoiceForm())
    assert found[0].text.startswith("找到这张发票。作废后")  # allowed when found
    talk.form("void_invoice_form", "void_reason")
    talk.user("金额开错了", "inform", void_reason="金额开错了")
    talk.act(ValidateVoidInvoiceForm())
    talk.form("void_invoice_form", "void_confirmed")
    reported()
    talk.user("确认作废", "affirm", void_confirmed=True)
    talk.act(ValidateVoidInvoiceForm())
    talk.form(None)

    events, refused = talk.act(ActionVoidInvoice())

    refusal = app.api("POST", f"/invoices/{number}/void", json={"reason": "试一下"}).json()
    assert refusal["error"]["code"] == "void_not_allowed"
    assert texts(refused) == f"{refusal['error']['message']}\n需要改为开具红字发票冲销这张发票吗？"
    offer = f'/red_invoice{{"invoice_number":"{number}"}}'
    assert buttons(refused) == {"开红字发票": offer, "不用了": "/deny"}
    assert slot_events(events)["offer"] == "red_letter"
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"

    # The reason given for the void carries over: only the yes is asked.
    started = red_letter_taken(talk, number, taken_by)
    assert slot_events(started) | {"offer": None} == {
        "invoice_number": number,
        "red_reason": "开票有误",
        "current_invoice": number,
        "offer": None,
    }
    red_lettered(talk, app, number)


def test_an_earlier_voids_reason_is_not_taken_for_an_invoice_refused_when_found(
    talk: Talk, app: App
) -> None:
    paper = app.issue("paper_general", "王强", "办公用品", "452", "13%")
    found_and_confirmed(talk, paper, reason="客户退货")
    talk.act(ActionVoidInvoice())
    digital = app.issue("digital_general", "李娜", "咨询费", "530", "6%")
    asked_to_void(talk, digital)
    talk.form(None)
    talk.act(ActionVoidInvoice())

    started = red_letter_taken(talk, digital, "a yes")

    assert "red_reason" not in slot_events(started)


def test_the_apps_refusal_to_red_letter_is_shown_as_it_words_it(talk: Talk, app: App) -> None:
    number = app.issue("paper_general", "王强", "办公用品", "113", "13%")
    assert app.api("POST", f"/invoices/{number}/void", json={"reason": "开错"}).status_code == 200
    talk.user(f"红冲{number}", "red_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("red_invoice_form")
    talk.act(ValidateRedInvoiceForm())
    talk.user("开票有误", "inform", red_reason="开票有误", red_confirmed=True)
    talk.form(None)

    _, refused = talk.act(ActionRedLetter())

    assert texts(refused) == "该发票已作废，不能开具红字发票。"


def test_a_red_letter_invoice_the_buyer_must_confirm_enters_a_form(talk: Talk, app: App) -> None:
    number = app.issue("digital_general", "李娜", "咨询费", "2120", "6%")
    with sqlite3.connect(app.database) as database:
        # The buyer has confirmed the invoice's use (勾选), which only the tax system records.
        database.execute("UPDATE invoices SET certified = 1 WHERE number = ?", (number,))
    talk.user(f"红冲{number}", "red_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("red_invoice_form")
    talk.act(ValidateRedInvoiceForm())
    talk.user("确认", "affirm", red_reason="销货退回", red_confirmed=True)
    talk.form(None)

    _, entered = talk.act(ActionRedLetter())

    assert f"已为发票{number}填开红字确认单" in texts(entered)
    assert app.api("GET", f"/invoices/{number}").json()["status"] == "issued"


def test_an_anonymous_conversation_is_asked_to_log_in_and_the_form_stops(
    anonymous_talk: Talk,
) -> None:
    talk = anonymous_talk
    number = "26421000000000000001"
    talk.user(f"作废{number}", "void_invoice", {"invoice_number": number}, invoice_number=number)
    talk.form("void_invoice_form")

    stopped, asked = talk.act(ValidateVoidInvoiceForm())
    [login] = cards(asked, "login")
    assert login["title"] == "登录开票账号"
    assert asked[0].text.startswith("办理开票、查票、作废、红冲等业务需要先登录。")
    assert slot_events(stopped)["void_refusal"]

    talk.form(None)
    _, after = talk.act(ActionVoidInvoice())
    assert after == []  # said once, by the form
