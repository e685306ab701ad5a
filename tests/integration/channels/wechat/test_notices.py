"""Notices on WeChat: a bound user is told each notice once, before the bot's answer;
during a maintenance window the message is kept, the user told when service resumes,
and the bot's answer follows as a customer-service message when the window ends."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from invoicing_core.demo import seed_demo
from tests.integration.channels.conftest import RASA_TOKEN, USER, bearer, log_in, wait_for
from tests.integration.channels.notices.conftest import at, clear_notices, schedule
from tests.integration.channels.wechat.conftest import new_openid, post_plain, reply_of, text_xml
from tests.wechat_api_standin import WeChatApiStandIn


@pytest.fixture
def client(
    make_client: Callable[..., TestClient], rasa_port: int, engine: Engine
) -> Iterator[TestClient]:
    """The WeChat channels answered by the Rasa stand-in, looking for kept turns often."""
    clear_notices(engine)
    started = make_client(
        rasa_port=rasa_port, rasa_token=RASA_TOKEN, notice_check_every_seconds=0.2
    )
    seed_demo(started.app.state.invoicing_core.accounts)  # type: ignore[attr-defined]
    yield started
    clear_notices(engine)


def say(client: TestClient, openid: str, text: str) -> str:
    return str(reply_of(post_plain(client, text_xml(openid, text)))["Content"])


def bound_openid(client: TestClient) -> str:
    """A WeChat user bound to the demo account with a code from the web app."""
    code = client.post("/api/v1/wechat/binding-code", headers=bearer(log_in(client, USER)))
    openid = new_openid()
    assert "绑定成功" in say(client, openid, f"绑定 {code.json()['code']}")
    return openid


def sent_to(standin: WeChatApiStandIn, openid: str) -> list[str]:
    return [s.body["text"]["content"] for s in standin.sent if s.body["touser"] == openid]


def test_a_bound_user_is_told_a_notice_once_before_the_bots_answer(client: TestClient) -> None:
    schedule(client, text="今晚22:00起开票功能升级", starts_at=at(3600), ends_at=at(7200))
    openid = bound_openid(client)

    first = say(client, openid, "你好")
    assert first.startswith("【系统公告】今晚22:00起开票功能升级（")
    assert first.endswith("北京时间）\n\n机器人：你好")
    assert say(client, openid, "在吗") == "机器人：在吗"  # once per notice and user
    assert say(client, new_openid(), "你好") == "机器人：你好"  # not bound: not told


def test_during_maintenance_the_message_is_kept_and_answered_by_customer_service_after(
    client: TestClient, standin: WeChatApiStandIn
) -> None:
    openid = bound_openid(client)
    schedule(client, text="系统升级", starts_at=at(-1), ends_at=at(6), maintenance=True)

    reply = say(client, openid, "怎么开专票")
    notice, told = reply.split("\n\n")
    assert notice.startswith("【系统维护公告】系统升级（")
    assert told.startswith("系统维护中，预计 ") and told.endswith("恢复后将为您处理。")
    assert "机器人" not in reply

    wait_for(lambda: sent_to(standin, openid), seconds=20)
    assert sent_to(standin, openid) == ["机器人：怎么开专票"]
    assert say(client, openid, "谢谢") == "机器人：谢谢"
    assert sent_to(standin, openid) == ["机器人：怎么开专票"]  # answered once
