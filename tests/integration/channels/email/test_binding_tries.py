"""Wrong binding codes count per sender address: new threads do not give new tries."""

from __future__ import annotations

from email.message import EmailMessage

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.conversations.store import ConversationStore
from tests.integration.channels.dingtalk.conftest import web_binding_code
from tests.integration.channels.email.conftest import (
    Dovecot,
    Recorder,
    mail,
    new_sender,
    poll,
    threads_of,
)


def _answer(client: TestClient, dovecot: Dovecot, smtp: Recorder, message: EmailMessage) -> str:
    sender = str(message["From"])
    before = len(smtp.to(sender, 0))
    dovecot.append(message)
    poll(client)
    body = smtp.to(sender, before + 1)[-1].get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).strip()


def _bound_users(engine: Engine, sender: str) -> list[str | None]:
    store = ConversationStore(engine)
    return [store.username_of(conversation_id) for conversation_id in threads_of(engine, sender)]


def test_five_wrong_codes_from_one_address_in_five_threads_lock_its_binding(
    client: TestClient, dovecot: Dovecot, smtp: Recorder, engine: Engine
) -> None:
    sender = new_sender()
    code = web_binding_code(client)
    wrong = "000000" if code != "000000" else "111111"
    answers = [
        _answer(client, dovecot, smtp, mail(sender, f"绑定 {wrong}", subject=f"第{n}封"))
        for n in range(1, 6)
    ]
    assert "还可以再试4次" in answers[0]
    assert "还可以再试1次" in answers[3]
    assert "错误次数过多" in answers[4]

    # A sixth new thread with the right code waits too, and binds nothing.
    locked = _answer(client, dovecot, smtp, mail(sender, f"绑定 {code}", subject="再换一封"))
    assert "错误次数过多" in locked
    assert "demo" not in _bound_users(engine, sender)

    # Another address is not locked: the same code binds its thread.
    other = new_sender()
    assert "绑定成功" in _answer(client, dovecot, smtp, mail(other, f"绑定 {code}"))
    assert _bound_users(engine, other) == ["demo"]
