"""Conversations with the bot through the real stack: app, Rasa, action server, database."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.chat import Chat, cards, text_of
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e

ONE_SENTENCE = "给武汉光谷科技有限公司开一张专票，税号91420106MA49X8Q2Y7，技术服务费10600元，税率6%"


def issue_directly(
    api: httpx.Client, kind: str, buyer: str, item: str, price: str, rate: str
) -> str:
    """Issue a one-line, tax-inclusive invoice through the API, not the chat; its number."""
    line = {"name": item, "quantity": "1", "unit_price": price, "tax_rate": rate}
    body = {"kind": kind, "buyer": {"name": buyer}, "lines": [{**line, "tax_included": True}]}
    response = api.post("/invoices", json=body)
    assert response.status_code == 201, response.text
    number: str = response.json()["number"]
    return number


def test_an_invoice_is_issued_from_one_sentence_after_an_explicit_yes(
    stack: Stack, demo_token: str, api: httpx.Client
) -> None:
    chat = Chat(stack, demo_token)

    summary = chat.say(ONE_SENTENCE)
    [draft] = cards(summary, "invoice_draft")
    shown = {f["label"]: f["value"] for f in draft["fields"]}
    # The app's preview: tax and the uppercase total before anything is issued.
    assert (shown["税额"], shown["价税合计（大写）"]) == ("600.00", "壹万零陆佰圆整")
    assert not cards(summary, "invoice")

    issued = chat.say("确认")
    [card] = cards(issued, "invoice")
    number = card["number"]
    invoice = api.get(f"/invoices/{number}").json()
    assert invoice["kind"] == "digital_special"
    assert invoice["buyer"]["name"] == "武汉光谷科技有限公司"
    assert invoice["buyer"]["tax_id"] == "91420106MA49X8Q2Y7"
    assert (invoice["total_amount"], invoice["total_tax"], invoice["total_with_tax"]) == (
        "10000.00",
        "600.00",
        "10600.00",
    )
    assert any(b["title"] == "下载PDF" for m in issued for b in m.get("buttons") or [])


def test_an_anonymous_conversation_asking_to_void_is_asked_to_log_in(stack: Stack) -> None:
    chat = Chat(stack, None)

    replies = chat.say("帮我把26421000000000000001作废了")

    assert "登录" in text_of(replies)


def test_a_paper_invoice_is_voided_by_chat(
    stack: Stack, demo_token: str, api: httpx.Client
) -> None:
    number = issue_directly(api, "paper_general", "王强", "办公用品", "565", "13%")
    chat = Chat(stack, demo_token)

    found = chat.say(f"作废{number}")
    assert cards(found, "invoice"), text_of(found)
    chat.say("金额开错了")
    chat.say("确认作废")

    assert api.get(f"/invoices/{number}").json()["status"] == "voided"


def test_a_digital_invoice_is_not_voided_and_is_red_lettered_instead(
    stack: Stack, demo_token: str, api: httpx.Client
) -> None:
    number = issue_directly(api, "digital_general", "李娜", "培训费", "1060", "6%")
    chat = Chat(stack, demo_token)

    # Refused at once, in the app's words (the invoice carries the app's verdict, the
    # bot no copy of the rule), and the red-letter invoice offered: no reason asked first.
    refused = chat.say(f"作废{number}")
    assert cards(refused, "invoice"), text_of(refused)
    assert "不能作废" in text_of(refused)
    assert "作废原因" not in text_of(refused)
    assert api.get(f"/invoices/{number}").json()["status"] == "issued"
    chat.say("好的")
    asked = chat.say("开票有误")
    assert "原因：开票有误" in text_of(asked), text_of(asked)
    done = chat.say("确认")

    assert cards(done, "invoice"), text_of(done)
    assert api.get(f"/invoices/{number}").json()["status"] == "red_flushed"


def test_a_question_is_answered_from_the_knowledge_base(stack: Stack) -> None:
    chat = Chat(stack, None)

    replies = chat.say("忘记密码怎么办")

    assert "密码" in text_of(replies)
    assert "转接人工" not in text_of(replies)


def test_asking_for_a_human_puts_the_conversation_in_the_queue(stack: Stack) -> None:
    chat = Chat(stack, None)

    replies = chat.say("转人工")

    assert "人工客服" in text_of(replies)
    assert chat.state == "waiting"
    # Leave the shared stack's queue as it was, for the console tests.
    chat.say("/back_to_bot")
    assert chat.state == "bot"


def draft_fields(replies: list[dict[str, object]]) -> dict[str, str]:
    """The summary card's fields, by label; fails when the turn showed no summary."""
    [draft] = cards(replies, "invoice_draft")
    return {f["label"]: f["value"] for f in draft["fields"]}


def test_a_one_sentence_general_invoice_keeps_every_detail_and_takes_corrections(
    stack: Stack, demo_token: str
) -> None:
    chat = Chat(stack, demo_token)
    sentence = (
        "给武汉光谷科技有限公司开一张数电普票，税号91420106MA49X8Q2Y7，软件开发服务一万二，税率6%"
    )

    shown = draft_fields(chat.say(sentence))
    assert shown["购买方"] == "武汉光谷科技有限公司"
    assert (shown["项目"], shown["价税合计"]) == ("软件开发服务", "12000.00")

    corrected = draft_fields(chat.say("项目改成技术咨询服务"))
    assert (corrected["项目"], corrected["购买方"]) == ("技术咨询服务", "武汉光谷科技有限公司")
    assert "已取消" in text_of(chat.say("算了"))


def test_a_step_by_step_item_answer_is_taken_whole_and_the_buyer_kept(
    stack: Stack, demo_token: str
) -> None:
    chat = Chat(stack, demo_token)
    chat.say("开一张数电普票")
    asked = chat.say("数电的")  # the medium again, not a buyer's name
    assert "购买方" in text_of(asked), text_of(asked)
    chat.say("武汉光谷科技有限公司")
    chat.say("91420106MA49X8Q2Y7")
    chat.say("软件开发服务")
    chat.say("5000")

    shown = draft_fields(chat.say("6%"))
    assert (shown["购买方"], shown["项目"]) == ("武汉光谷科技有限公司", "软件开发服务")
    chat.say("算了")


def test_an_enterprise_buyer_of_a_general_invoice_must_give_its_taxpayer_id(
    stack: Stack, demo_token: str
) -> None:
    """The API's own refusal is tested in tests/integration (test_invoice_api)."""
    chat = Chat(stack, demo_token)

    asked = chat.say("给武汉光谷科技有限公司开一张数电普票，技术服务费一千元，税率6%")
    assert "2017年第16号" in text_of(asked) and not cards(asked, "invoice_draft")
    refused = chat.say("不填税号")
    assert "不能不填税号" in text_of(refused) and not cards(refused, "invoice_draft")
    shown = draft_fields(chat.say("91420106MA49X8Q2Y7"))
    assert shown["纳税人识别号"] == "91420106MA49X8Q2Y7"
    chat.say("算了")


def test_an_individual_buyer_goes_without_a_taxpayer_id(
    stack: Stack, demo_token: str, api: httpx.Client
) -> None:
    chat = Chat(stack, demo_token)

    shown = draft_fields(chat.say("给张三开一张数电普票，办公用品113元，税率13%"))
    assert shown["购买方"] == "张三" and "纳税人识别号" not in shown
    [card] = cards(chat.say("确认"), "invoice")
    invoice = api.get(f"/invoices/{card['number']}").json()
    assert invoice["buyer"]["name"] == "张三" and not invoice["buyer"]["tax_id"]


def test_a_buyer_the_name_does_not_place_may_go_without_when_the_user_says_so(
    stack: Stack, demo_token: str
) -> None:
    chat = Chat(stack, demo_token)
    chat.say("开一张数电普票")

    asked = chat.say("光谷创新中心")
    buttons = [b for m in asked for b in m.get("buttons") or []]
    assert any(b["title"] == "不是企业，不填税号" for b in buttons), asked
    [button] = [b for b in buttons if b["title"] == "不是企业，不填税号"]
    next_question = chat.say(button["payload"])
    assert "项目" in text_of(next_question), text_of(next_question)
    chat.say("会议服务")
    chat.say("800")
    shown = draft_fields(chat.say("6%"))
    assert shown["购买方"] == "光谷创新中心" and "纳税人识别号" not in shown
    chat.say("算了")


def test_a_question_outside_invoicing_is_declined_with_a_way_to_a_human(stack: Stack) -> None:
    chat = Chat(stack, None)

    replies = chat.say("出口退税怎么申报")

    assert "不在我的服务范围内" in text_of(replies)
    buttons = [b for m in replies for b in m.get("buttons") or []]
    assert {"title": "转人工客服", "payload": "/human_handoff"} in buttons
