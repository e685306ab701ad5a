"""Turns whose worker died mid-turn: another worker answers them through the API, once.

A dead worker leaves its logged message pending (it died before the reply budget ran
out) or late (after it answered "success"); such rows older than STALE_AFTER are
taken over. Rasa is down here, so a re-asked message gets the unavailable notice; the
real bot's answer is tested in tests/e2e/test_wechat.py.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from channels import migrations
from channels.conversations.model import Reply, Role
from channels.conversations.store import ConversationStore
from channels.wechat.inbound_log import STALE_AFTER, TurnStatus
from channels.wechat.tables import wechat_inbound
from tests.integration.channels.wechat.conftest import new_openid
from tests.integration.channels.wechat.test_customer_messages import known_user
from tests.wechat_api_standin import WeChatApiStandIn

UNAVAILABLE = "智能助手暂时无法响应"
_keys = itertools.count()


def logged(
    engine: Engine, openid: str, text: str, status: TurnStatus, age: timedelta = 2 * STALE_AFTER
) -> int:
    """A message in the inbound log as a worker left it `age` ago."""
    with engine.begin() as connection:
        row_id: int = connection.execute(
            insert(wechat_inbound).values(
                account="wechat",
                msg_key=f"id:recovery-{next(_keys)}-{openid}",
                openid=openid,
                msg_type="text",
                content=text,
                received_at=datetime.now(UTC) - age,
                status=status.value,
            )
        ).inserted_primary_key[0]
    return row_id


def status_of(engine: Engine, row_id: int) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                select(wechat_inbound.c.status).where(wechat_inbound.c.id == row_id)
            ).scalar_one()
        )


def sent_to(standin: WeChatApiStandIn, openid: str) -> list[str]:
    """The texts of the customer-service messages `openid` got."""
    return [s.body["text"]["content"] for s in standin.sent if s.body["touser"] == openid]


def recover(client: TestClient) -> None:
    timer = client.app.state.services.wechat_channels["wechat"].timer  # type: ignore[attr-defined]
    client.portal.call(timer.recover)  # type: ignore[union-attr]


@pytest.mark.parametrize("left", [TurnStatus.PENDING, TurnStatus.LATE])
def test_a_stale_turn_is_asked_again_and_answered_through_the_api_once(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn, left: TurnStatus
) -> None:
    openid = new_openid()
    row_id = logged(engine, openid, "忘记密码怎么办", left)

    recover(client)
    recover(client)

    [sent] = sent_to(standin, openid)
    assert UNAVAILABLE in sent
    assert status_of(engine, row_id) == TurnStatus.DELIVERED


def test_a_turn_the_bot_had_answered_sends_the_stored_answer_and_stores_nothing_twice(
    client: TestClient, engine: Engine, standin: WeChatApiStandIn
) -> None:
    openid, conversation_id = known_user(client, engine)
    standin.reset()
    row_id = logged(engine, openid, "发票怎么作废", TurnStatus.LATE)
    # The worker stored the message and the bot's answer, then died before sending it.
    store = ConversationStore(engine)
    inbound, _ = store.receive_once(conversation_id, "发票怎么作废", f"wechat-inbound-{row_id}")
    store.answer(inbound, [Reply("当月开具的纸质发票可以作废。")], Role.BOT)
    before = store.history(conversation_id)

    recover(client)

    assert sent_to(standin, openid) == ["当月开具的纸质发票可以作废。"]
    assert store.history(conversation_id) == before
    assert status_of(engine, row_id) == TurnStatus.DELIVERED


@pytest.mark.parametrize(
    ("status", "age"),
    [
        (TurnStatus.PENDING, STALE_AFTER / 4),  # its worker may still be at it
        (TurnStatus.ANSWERED, 2 * STALE_AFTER),  # the passive reply carried it
        (TurnStatus.DELIVERED, 2 * STALE_AFTER),
        (TurnStatus.PENDING, timedelta(hours=49)),  # past WeChat's 48-hour window
    ],
)
def test_turns_that_are_not_lost_are_left_alone(
    client: TestClient,
    engine: Engine,
    standin: WeChatApiStandIn,
    status: TurnStatus,
    age: timedelta,
) -> None:
    openid = new_openid()
    row_id = logged(engine, openid, "你好", status, age)

    recover(client)

    assert status_of(engine, row_id) == status
    assert sent_to(standin, openid) == []


def test_the_migration_marks_late_answers_sent_before_it_as_delivered(engine: Engine) -> None:
    # Before revision 0005 a late answer stayed "late" once sent: none of those is lost.
    migrations.downgrade(engine, "0004")
    sent_before = logged(engine, new_openid(), "你好", TurnStatus.LATE)
    migrations.upgrade(engine)

    assert status_of(engine, sent_before) == TurnStatus.DELIVERED
