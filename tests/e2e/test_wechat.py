"""WeChat and WeCom against the real bot: Rasa and the action server of the running stack.

A second app (in-process, on the stack's database and Rasa) carries the WeChat
settings and points WECHAT_API_BASE at a local stand-in for WeChat's servers. The
messages are built, signed and encrypted by wechatpy.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

import knowledge
from channels.app import create_app
from channels.conversations.model import Role
from channels.conversations.store import ConversationStore
from channels.wechat.inbound_log import TurnStatus
from channels.wechat.tables import wechat_users
from invoicing_core import CoreSettings
from invoicing_core.demo import seed_demo
from invoicing_core.persistence import make_engine
from tests.e2e.conftest import Stack
from tests.integration.channels.wechat.conftest import (
    media_xml,
    new_openid,
    post_encrypted,
    post_plain,
    reply_of,
    text_xml,
    wechat_crypto,
    wechat_settings,
    wecom_crypto,
)
from tests.integration.channels.wechat.test_recovery import (
    logged,
    recover,
    sent_to,
    status_of,
)
from tests.wechat_api_standin import WeChatApiStandIn, running_standin

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ASK_TO_BIND = "需要先绑定开票账号"


class RecordingSender:
    """Stands for the SMS gateway: keeps the binding codes."""

    def __init__(self) -> None:
        self.codes: list[str] = []

    def send(self, username: str, code: str) -> None:
        self.codes.append(code)


@pytest.fixture(scope="module")
def standin() -> Iterator[WeChatApiStandIn]:
    with running_standin() as running:
        yield running


@pytest.fixture(scope="module")
def stack_engine(stack: Stack) -> Iterator[Engine]:
    engine = make_engine(f"sqlite:///{stack.log.parent / 'app.db'}")
    yield engine
    engine.dispose()


def wechat_app(stack: Stack, standin: WeChatApiStandIn, budget: float) -> TestClient:
    """An app with WeChat on, sharing the stack's database and bot."""
    ports = iter([0, 0])  # Rasa is named by URL; the action server is the stack's
    settings = wechat_settings(
        standin,
        lambda: next(ports),
        rasa_url=stack.rasa_url,
        wechat_reply_budget_seconds=budget,
        wechat_api_timeout_seconds=5.0,
    )
    core = CoreSettings(
        database_url=f"sqlite:///{stack.log.parent / 'app.db'}", var_dir=stack.log.parent
    )
    index = knowledge.KnowledgeSettings(
        knowledge_source=ROOT / "knowledge" / "entries",
        knowledge_index_dir=ROOT / "var" / "knowledge-index",
    )
    return TestClient(create_app(settings, core, index))


@pytest.fixture(scope="module")
def client(stack: Stack, standin: WeChatApiStandIn) -> Iterator[TestClient]:
    """Generous budget: the bot's answer always comes as the passive reply."""
    with wechat_app(stack, standin, budget=20.0) as test_client:
        yield test_client


def bot_texts(engine: Engine, openid: str, account: str = "wechat") -> list[str]:
    with engine.connect() as connection:
        conversation_id = connection.execute(
            select(wechat_users.c.conversation_id)
            .where(wechat_users.c.account == account)
            .where(wechat_users.c.openid == openid)
        ).scalar_one()
    history = ConversationStore(engine).history(conversation_id)
    return [message.text for message in history if message.role is Role.BOT]


def test_a_plain_question_gets_the_bots_answer_as_the_passive_reply(
    client: TestClient, stack_engine: Engine
) -> None:
    openid = new_openid()
    reply = reply_of(post_plain(client, text_xml(openid, "你好")))

    answered = bot_texts(stack_engine, openid)
    assert answered and all(text in reply["Content"] for text in answered)


def test_a_safe_mode_question_is_answered_from_the_knowledge_base(
    client: TestClient, stack_engine: Engine
) -> None:
    openid = new_openid()
    response, _ = post_encrypted(client, text_xml(openid, "忘记密码怎么办"))

    reply = reply_of(response, encrypted_with=wechat_crypto())
    assert "密码" in reply["Content"]
    assert all(text in reply["Content"] for text in bot_texts(stack_engine, openid))


def test_an_answer_shows_its_basis_and_a_2_rates_it_as_not_helpful(
    client: TestClient, stack_engine: Engine
) -> None:
    openid = new_openid()
    answer = reply_of(post_plain(client, text_xml(openid, "住宿费取得专票能抵扣吗")))["Content"]
    assert "依据：" in answer and answer.rstrip().endswith("回复 1 有用 / 2 没用")

    thanks = reply_of(post_plain(client, text_xml(openid, "2")))["Content"]

    assert thanks.startswith("感谢您的反馈")
    rated = [r for r in knowledge.FeedbackLog(stack_engine).ratings() if r.channel == "wechat"]
    assert (rated[0].entry_id, rated[0].question, rated[0].helpful) == (
        "deduct.lodging",
        "住宿费取得专票能抵扣吗",
        False,
    )


def test_a_wecom_question_gets_the_bots_answer_encrypted(
    client: TestClient, stack_engine: Engine
) -> None:
    member = new_openid()
    response, _ = post_encrypted(client, text_xml(member, "你好"), path="/channels/wecom")

    reply = reply_of(response, encrypted_with=wecom_crypto())
    answered = bot_texts(stack_engine, member, "wecom")
    assert answered and all(text in reply["Content"] for text in answered)


def test_an_answer_over_the_budget_is_success_then_a_customer_service_message(
    stack: Stack, standin: WeChatApiStandIn, stack_engine: Engine
) -> None:
    standin.reset()
    with wechat_app(stack, standin, budget=0.0) as late_client:
        openid = new_openid()
        xml = text_xml(openid, "忘记密码怎么办")
        assert post_plain(late_client, xml).text == "success"
        assert post_plain(late_client, xml).text == "success"  # WeChat's retry

        sent = standin.wait_for(1, timeout=60)
    assert [s.body["touser"] for s in sent] == [openid]
    answered = bot_texts(stack_engine, openid)
    assert answered and all(text in sent[0].body["text"]["content"] for text in answered)
    with stack_engine.connect() as connection:
        conversation_id = connection.execute(
            select(wechat_users.c.conversation_id).where(wechat_users.c.openid == openid)
        ).scalar_one()
    history = ConversationStore(stack_engine).history(conversation_id)
    # One user message and one bot turn for the message and its retry.
    assert [m.text for m in history if m.role is Role.USER] == ["忘记密码怎么办"]


def test_a_message_whose_worker_died_mid_turn_gets_the_bots_answer_from_another(
    client: TestClient, standin: WeChatApiStandIn, stack_engine: Engine
) -> None:
    standin.reset()
    openid = new_openid()
    # What a worker that died mid-turn leaves: the message logged, still pending.
    row_id = logged(stack_engine, openid, "忘记密码怎么办", TurnStatus.PENDING)

    recover(client)

    [sent] = sent_to(standin, openid)
    answered = bot_texts(stack_engine, openid)
    assert answered and all(text in sent for text in answered)
    assert "密码" in sent
    assert status_of(stack_engine, row_id) == TurnStatus.DELIVERED


def test_binding_lets_invoice_actions_act_for_the_user(
    client: TestClient, stack_engine: Engine
) -> None:
    seed_demo(client.app.state.invoicing_core.accounts)  # type: ignore[attr-defined]
    sender = RecordingSender()
    client.app.state.services.wechat_binding.sender = sender  # type: ignore[attr-defined]
    openid = new_openid()

    def say(text: str) -> str:
        return str(reply_of(post_plain(client, text_xml(openid, text)))["Content"])

    assert ASK_TO_BIND in say("帮我把26421000000000000001作废了")
    assert "验证码已发送" in say("绑定 demo")
    assert "绑定成功" in say(sender.codes[-1])
    acting = say("帮我把26421000000000000001作废了")
    assert ASK_TO_BIND not in acting and acting


def test_an_invoice_recorded_on_the_word_is_the_one_asked_about_next(
    client: TestClient, standin: WeChatApiStandIn
) -> None:
    seed_demo(client.app.state.invoicing_core.accounts)  # type: ignore[attr-defined]
    login = {"username": "demo", "password": "Demo@2026!"}
    token = client.post("/api/v1/auth/token", json=login).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    code = client.post("/api/v1/wechat/binding-code", headers=headers).json()["code"]
    openid = new_openid()

    def say(text: str) -> str:
        return str(reply_of(post_plain(client, text_xml(openid, text)))["Content"])

    assert "绑定成功" in say(f"绑定 {code}")
    line = {"name": "办公用品", "quantity": "2", "unit_price": "565", "tax_rate": "13%"}
    body = {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [{**line, "tax_included": True}],
    }
    number = client.post("/api/v1/invoices", json=body, headers=headers).json()["number"]
    pdf = client.get(f"/api/v1/invoices/{number}/pdf", headers=headers).content
    standin.media["media-received"] = (pdf, "application/pdf")
    fields = "<FileName><![CDATA[供应商发票.pdf]]></FileName>"
    fields += "<MediaId><![CDATA[media-received]]></MediaId>"
    read = reply_of(post_plain(client, media_xml(openid, "file", fields)))["Content"]
    assert f"发票号码：{number}" in read

    assert say("录入").startswith("【已录入收票台账】")
    answer = say("这张发票报销过吗")
    assert f"发票{number}" in answer and "状态：已录入" in answer
