"""Answers over SMTP: a failed send is tried again with doubling waits, a refusal for good
is not; every outcome is recorded."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select

from channels.wechat.tables import wechat_outbound
from tests.integration.channels.conftest import AppFactory
from tests.integration.channels.email.conftest import (
    Dovecot,
    mail,
    new_sender,
    poll,
    refusing_smtp,
)

BACKOFF = 0.3


def _outbound(engine: Engine, sender: str) -> list[tuple[str, int]]:
    with engine.connect() as connection:
        rows = connection.execute(
            select(wechat_outbound.c.status, wechat_outbound.c.attempts)
            .where(wechat_outbound.c.account == "email")
            .where(wechat_outbound.c.openid.endswith(f":{sender}"))
        ).all()
    return [(row.status, row.attempts) for row in rows]


def test_a_failed_smtp_send_is_retried_with_doubling_waits_and_sent_once(
    email_app: AppFactory, dovecot: Dovecot, engine: Engine, free_port: Callable[[], int]
) -> None:
    with refusing_smtp(free_port(), 2, "451 4.3.0 Try again later") as server:
        client = email_app(
            email_smtp_port=server.port, wechat_api_attempts=3, wechat_api_backoff_seconds=BACKOFF
        )
        sender = new_sender()
        dovecot.append(mail(sender, "你好"))
        poll(client)
        [answer] = server.to(sender)
    body = answer.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content().strip() == "机器人：你好"
    first, second, third = server.tries
    assert second - first >= BACKOFF
    assert third - second >= 2 * BACKOFF
    assert _outbound(engine, sender) == [("sent", 3)]


@pytest.mark.parametrize(
    ("reply", "tries", "outcome"),
    [("421 4.7.0 Busy", 3, "failed"), ("554 5.7.1 Refused", 1, "undeliverable")],
    ids=["busy-every-try", "refused-for-good"],
)
def test_a_send_failing_every_try_or_refused_for_good_is_recorded_so(
    email_app: AppFactory,
    dovecot: Dovecot,
    engine: Engine,
    free_port: Callable[[], int],
    reply: str,
    tries: int,
    outcome: str,
) -> None:
    """A busy server is tried three times, then the answer is recorded failed; a 5xx
    refusal is not tried again."""
    with refusing_smtp(free_port(), 10, reply) as server:
        client = email_app(
            email_smtp_port=server.port, wechat_api_attempts=3, wechat_api_backoff_seconds=0.05
        )
        sender = new_sender()
        dovecot.append(mail(sender, "你好"))
        poll(client)
        assert len(server.tries) == tries and server.sent == []
    assert _outbound(engine, sender) == [(outcome, tries)]
