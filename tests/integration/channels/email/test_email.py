"""The email channel end to end: dovecot's mailbox in, the app, the stand-in Rasa, SMTP out."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from email.message import EmailMessage

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert

from channels.conversations.model import ConversationState, Reply
from channels.conversations.store import ConversationStore
from channels.email_channel.mail import Mail
from channels.wechat.inbound_log import STALE_AFTER, TurnStatus
from channels.wechat.tables import wechat_inbound
from tests.integration.channels.conftest import AppFactory, bearer, log_in
from tests.integration.channels.dingtalk.conftest import agent_says, web_binding_code
from tests.integration.channels.email.conftest import (
    SUPPORT,
    Dovecot,
    Recorder,
    channel_of,
    mail,
    new_sender,
    poll,
    threads_of,
)


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).strip()


def _ask(client: TestClient, dovecot: Dovecot, message: EmailMessage) -> None:
    dovecot.append(message)
    poll(client)


def test_a_question_is_answered_in_its_thread_and_a_follow_up_continues_it(
    client: TestClient, dovecot: Dovecot, smtp: Recorder, engine: Engine
) -> None:
    sender = new_sender()
    question = mail(sender, "怎么开专票")
    _ask(client, dovecot, question)
    [answer] = smtp.to(sender)
    assert _text(answer) == "机器人：怎么开专票"
    assert answer["In-Reply-To"] == question["Message-ID"]
    assert question["Message-ID"] in answer["References"]
    assert answer["Subject"] == "Re: 开票咨询"
    assert answer["From"].addresses[0].display_name == "开票助手"
    assert answer["From"].addresses[0].addr_spec == SUPPORT
    assert answer.get_body(preferencelist=("html",)) is not None

    quoted = "还有电子发票呢\n\n在 2026年12月7日 开票助手 写道：\n> 机器人：怎么开专票\n"
    follow_up = mail(sender, quoted, reply_to=answer)
    _ask(client, dovecot, follow_up)
    second = smtp.to(sender, 2)[-1]
    assert _text(second) == "机器人：还有电子发票呢"
    assert second["In-Reply-To"] == follow_up["Message-ID"]
    assert question["Message-ID"] in second["References"]
    assert len(threads_of(engine, sender)) == 1

    _ask(client, dovecot, mail(sender, "另一个问题", subject="新问题"))
    assert _text(smtp.to(sender, 3)[-1]) == "机器人：另一个问题"
    assert len(threads_of(engine, sender)) == 2


def test_an_html_only_mail_is_read_as_text(
    client: TestClient, dovecot: Dovecot, smtp: Recorder
) -> None:
    sender = new_sender()
    message = mail(sender, "")
    message.set_content("<div><p>发票&amp;抬头</p><blockquote>旧邮件</blockquote></div>", "html")
    _ask(client, dovecot, message)
    assert _text(smtp.to(sender)[0]) == "机器人：发票&抬头"


def test_a_mail_fetched_again_or_by_a_second_worker_is_answered_once(
    email_app: AppFactory, dovecot: Dovecot, smtp: Recorder
) -> None:
    first, second = email_app(), email_app()
    sender = new_sender()
    question = mail(sender, "只答一次")
    dovecot.append(question)
    assert poll(first) == 1
    dovecot.mark_all_unseen()  # the other worker fetched it before it was marked \Seen
    dovecot.append(question)  # and the customer's server delivered it twice
    assert poll(second) == 0
    assert poll(first) == 0
    assert len(smtp.to(sender, 2, timeout=1.0)) == 1
    assert dovecot.unseen() == 0


def test_auto_replies_and_bounces_are_stored_but_not_answered(
    client: TestClient, dovecot: Dovecot, smtp: Recorder
) -> None:
    sender = new_sender()
    automatic = [
        {"Auto-Submitted": "auto-replied"},
        {"Precedence": "bulk"},
        {"X-Autoreply": "yes"},
        {"Return-Path": "<>"},
    ]
    for headers in automatic:
        dovecot.append(mail(sender, "我正在休假", headers=headers))
    daemon = f"MAILER-DAEMON@{sender.split('@')[1]}"
    dovecot.append(mail(daemon, f"Delivery to {sender} failed"))
    assert poll(client) == 0
    assert smtp.to(sender, 1, timeout=1.0) == []
    assert smtp.to(daemon, 1, timeout=0.2) == []
    assert dovecot.unseen() == 0


def test_a_handoff_goes_to_the_queue_and_the_agents_reply_arrives_in_the_thread(
    client: TestClient, dovecot: Dovecot, smtp: Recorder, engine: Engine
) -> None:
    sender = new_sender()
    question = mail(sender, "转人工")
    _ask(client, dovecot, question)
    assert "转接人工" in _text(smtp.to(sender)[0])
    [conversation_id] = threads_of(engine, sender)
    conversation = ConversationStore(engine).get(conversation_id)
    assert conversation is not None
    assert conversation.channel == "email"
    assert conversation.state is ConversationState.WAITING

    count = len(smtp.to(sender))
    agent_says(client, engine, conversation_id, Reply("您好，我是人工客服小王"))
    reply = smtp.to(sender, count + 1)[-1]
    assert _text(reply) == "您好，我是人工客服小王"
    assert reply["In-Reply-To"] == question["Message-ID"]


def test_binding_with_a_web_code_then_a_task_runs_as_the_bound_user(
    client: TestClient, dovecot: Dovecot, smtp: Recorder, engine: Engine
) -> None:
    sender = new_sender()
    code = web_binding_code(client)
    _ask(client, dovecot, mail(sender, f"绑定 {code}"))
    [bound] = smtp.to(sender)
    assert "绑定成功" in _text(bound)

    _ask(client, dovecot, mail(sender, "查一下我的发票", reply_to=bound))
    assert _text(smtp.to(sender, 2)[-1]) == "机器人：查一下我的发票"
    [conversation_id] = threads_of(engine, sender)
    assert ConversationStore(engine).username_of(conversation_id) == "demo"

    _ask(client, dovecot, mail(sender, "新线程", subject="另一件事"))
    smtp.to(sender, 3)
    other = threads_of(engine, sender) - {conversation_id}
    assert [ConversationStore(engine).username_of(c) for c in other] == [None]


def test_a_too_large_attachment_is_refused_politely(
    client: TestClient, dovecot: Dovecot, smtp: Recorder
) -> None:
    sender = new_sender()
    message = mail(sender, "见附件")
    message.add_attachment(b"%PDF-1.4" + b"0" * 2000, "application", "pdf", filename="发票.pdf")
    dovecot.append(message)
    small = dataclasses.replace(channel_of(client), max_upload_bytes=1000)
    client.portal.call(small.poll_once)  # type: ignore[union-attr]
    text = _text(smtp.to(sender)[0])
    assert "附件“发票.pdf”超过" in text
    assert "重新发送" in text


def _an_invoice_pdf(client: TestClient) -> tuple[str, bytes]:
    """A digital invoice the demo user issues: its number and its PDF."""
    headers = bearer(log_in(client, {"username": "demo", "password": "Demo@2026!"}))
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    number = str(client.post("/api/v1/invoices", json=body, headers=headers).json()["number"])
    return number, client.get(f"/api/v1/invoices/{number}/pdf", headers=headers).content


def test_an_invoice_pdf_attachment_of_a_bound_thread_is_read(
    client: TestClient, dovecot: Dovecot, smtp: Recorder
) -> None:
    sender = new_sender()
    _ask(client, dovecot, mail(sender, f"绑定 {web_binding_code(client)}"))
    [bound] = smtp.to(sender)
    number, pdf = _an_invoice_pdf(client)

    message = mail(sender, "供应商的发票", reply_to=bound)
    message.add_attachment(pdf, "application", "pdf", filename="供应商发票.pdf")
    message.add_attachment(b"a,b\n", "text", "csv", filename="清单.csv")
    _ask(client, dovecot, message)
    text = _text(smtp.to(sender, 2, timeout=60)[-1])
    assert f"发票号码：{number}" in text
    assert "网页版" in text  # the spreadsheet is not an invoice


def test_a_mails_text_is_answered_before_its_attachments(
    client: TestClient, dovecot: Dovecot, smtp: Recorder, engine: Engine
) -> None:
    sender = new_sender()
    number, pdf = _an_invoice_pdf(client)
    # The text binds the new thread, so its invoice is then read as the bound user's.
    message = mail(sender, f"绑定 {web_binding_code(client)}")
    message.add_attachment(pdf, "application", "pdf", filename="供应商发票.pdf")
    _ask(client, dovecot, message)
    text = _text(smtp.to(sender, timeout=60)[0])
    assert text.index("绑定成功") < text.index(f"发票号码：{number}")
    [conversation_id] = threads_of(engine, sender)
    said = [m.text for m in ConversationStore(engine).history(conversation_id)]
    assert said[0].startswith("绑定 ") and "[附件] 供应商发票.pdf" in said


def test_a_mail_stored_when_its_worker_died_is_answered_once_by_recovery(
    client: TestClient, smtp: Recorder, engine: Engine
) -> None:
    sender = new_sender()
    stored = {
        "sender": sender,
        "message_id": "<died-1@customer.test>",
        "references": [],
        "subject": "没回复的邮件",
        "text": "你好",
        "attachments": [],
    }
    with engine.begin() as connection:
        connection.execute(
            insert(wechat_inbound).values(
                account="email",
                msg_key=f"mid:<died-{sender}>",
                openid=Mail(sender, "<died-1@customer.test>", [], "", "", False).thread_user,
                msg_type="text",
                content=json.dumps(stored, ensure_ascii=False),
                received_at=datetime.now(UTC) - 2 * STALE_AFTER,
                status=TurnStatus.LATE.value,
            )
        )
    channel = channel_of(client)
    client.portal.call(channel.recover)  # type: ignore[union-attr]
    client.portal.call(channel.recover)  # type: ignore[union-attr]
    answers = smtp.to(sender, 2, timeout=1.0)
    assert len(answers) == 1
    assert _text(answers[0]) == "机器人：你好"
    assert answers[0]["In-Reply-To"] == "<died-1@customer.test>"
    assert answers[0]["Subject"] == "Re: 没回复的邮件"
