"""Going around the app: straight to Rasa's port or the action server's, as a logged-in
user's conversation. Each hop wants its own secret (bot/service_auth.py); without it
nothing is answered, no invoice is read or issued, and the app's conversation is unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from channels.conversations.store import ConversationStore
from invoicing_core.persistence import make_engine
from tests.e2e.chat import Chat, text_of
from tests.e2e.conftest import Stack

pytestmark = pytest.mark.e2e
# The slots and action that issued an invoice with no confirmation before the check.
TRACKER: dict[str, object] = {
    "latest_message": {"text": "/affirm", "intent": {"name": "affirm"}, "entities": []},
    "events": [],
    "slots": {
        "invoice_kind": "digital_general",
        "buyer_name": "张三",
        "item_name": "咨询服务",
        "amount": "100",
        "tax_rate": "6%",
        "issue_confirmed": True,
    },
    "active_loop": {},
    "paused": False,
    "followup_action": None,
    "latest_event_time": 0,
    "latest_input_channel": "app",
    "latest_action_name": "action_listen",
}
ISSUE_WITHOUT_ASKING: dict[str, object] = {
    "next_action": "action_issue_invoice",
    "version": "3.6.21",
    "domain": {},
    "tracker": TRACKER,
}


@pytest.fixture(scope="module")
def conversation(stack: Stack, demo_token: str) -> Chat:
    """The demo clerk's conversation, whose id an attacker has learned."""
    chat = Chat(stack, demo_token)
    assert "发票" in text_of(chat.say("查一下最后一张发票"))
    return chat


@pytest.fixture
def untouched(stack: Stack, api: httpx.Client, conversation: Chat) -> Iterator[None]:
    """The demo company's invoices and the conversation the app keeps are the same after."""
    engine = make_engine(f"sqlite:///{stack.log.parent / 'app.db'}")
    store = ConversationStore(engine)

    def state() -> tuple[object, list[str]]:
        invoices = api.get("/invoices", params={"page_size": 100}).json()
        assert conversation.conversation_id
        return invoices, [m.text for m in store.history(conversation.conversation_id)]

    before = state()
    yield
    assert state() == before
    engine.dispose()


def _ports(stack: Stack) -> tuple[str, str]:
    if not stack.rasa_url or "ACTION_PORT" not in stack.env:
        pytest.skip("needs the stack this session starts (not E2E_STACK_URL)")
    return stack.rasa_url, f"http://127.0.0.1:{stack.env['ACTION_PORT']}"


def _as_the_user(conversation: Chat, message: str) -> dict[str, Any]:
    return {
        "sender": conversation.conversation_id,
        "message": message,
        "metadata": {"logged_in": True},
    }


@pytest.mark.usefixtures("untouched")
def test_rasa_answers_no_one_but_the_app(stack: Stack, conversation: Chat) -> None:
    rasa, _ = _ports(stack)
    # Rasa's plain REST channel and HTTP API are gone.
    body = _as_the_user(conversation, "查一下最后一张发票")
    assert httpx.post(f"{rasa}/webhooks/rest/webhook", json=body).status_code == 404
    tracker = f"{rasa}/conversations/{conversation.conversation_id}/tracker"
    assert httpx.get(tracker).status_code == 404
    # The app's channel wants the app's secret.
    for headers in (
        {},
        {"Authorization": "Bearer guessed"},
        {"Authorization": "Basic ZGVtbzpEZW1vQDIwMjYh"},
    ):
        for message in ("查一下最后一张发票", "/affirm"):
            refused = httpx.post(
                f"{rasa}/webhooks/app/webhook",
                json=_as_the_user(conversation, message),
                headers=headers,
            )
            assert refused.status_code == 401, refused.text
            assert "发票" not in refused.text


@pytest.mark.usefixtures("untouched")
def test_the_action_server_acts_for_no_one_but_rasa(stack: Stack, conversation: Chat) -> None:
    _, actions = _ports(stack)
    sender = conversation.conversation_id
    call = {
        **ISSUE_WITHOUT_ASKING,
        "sender_id": sender,
        "tracker": {**TRACKER, "sender_id": sender},
    }
    for headers in ({}, {"Authorization": "Bearer guessed"}):
        refused = httpx.post(f"{actions}/webhook", json=call, headers=headers)
        assert refused.status_code == 401, refused.text
        assert httpx.get(f"{actions}/actions", headers=headers).status_code == 401
    assert httpx.get(f"{actions}/health").status_code == 200


def test_the_app_still_talks_to_the_bot(conversation: Chat) -> None:
    assert text_of(conversation.say("你好"))
