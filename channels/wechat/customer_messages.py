"""Messages to WeChat users outside their own request: late answers, agent replies.

Registered with channels.live.delivery.Deliveries for "wechat" and "wecom". Every
attempt is recorded in wechat_outbound with its outcome; a message outside the
user's 48-hour window is recorded as undeliverable without calling WeChat.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import structlog
from anyio import to_thread
from sqlalchemy import Engine, insert

from channels.conversations.model import Conversation, Message
from channels.wechat.customer_service_api import CustomerServiceApi, SendOutcome
from channels.wechat.rendering import as_text, chunks
from channels.wechat.tables import wechat_outbound
from channels.wechat.users import WeChatUsers

log = structlog.get_logger(__name__)

WECHAT_WINDOW = timedelta(hours=48)


class CustomerMessages:
    """Delivers stored messages of one account's conversations through its API."""

    def __init__(
        self,
        account: str,
        api: CustomerServiceApi,
        users: WeChatUsers,
        engine: Engine,
        window: timedelta | None,
    ) -> None:
        self._account = account
        self._api = api
        self._users = users
        self._engine = engine
        self._window = window

    async def deliver(self, conversation: Conversation, messages: Sequence[Message]) -> None:
        """Send the messages to the conversation's WeChat user (the Deliveries contract)."""
        text = as_text(messages)
        if not text:
            return
        user = await to_thread.run_sync(self._users.of_conversation, self._account, conversation.id)
        if user is None:
            await self._record("", conversation.id, text, SendOutcome("undeliverable", "no_user"))
            return
        await self.send_texts(user.openid, conversation.id, chunks(text))

    async def send_texts(
        self, openid: str, conversation_id: str | None, texts: Sequence[str]
    ) -> list[SendOutcome]:
        """Send each text in order, within the window; record every outcome."""
        outcomes: list[SendOutcome] = []
        for text in texts:
            outcome = await self._send_one(openid, text)
            await self._record(openid, conversation_id, text, outcome)
            outcomes.append(outcome)
        return outcomes

    async def _send_one(self, openid: str, text: str) -> SendOutcome:
        if self._window is not None:
            user = await to_thread.run_sync(self._users.find, self._account, openid)
            if user is None or datetime.now(UTC) - user.last_inbound_at > self._window:
                return SendOutcome("undeliverable", "outside_48h_window", attempts=0)
        return await self._api.send_text(openid, text)

    async def _record(
        self, openid: str, conversation_id: str | None, text: str, outcome: SendOutcome
    ) -> None:
        event = "wechat_message_sent" if outcome.status == "sent" else "wechat_message_not_sent"
        log_method = log.info if outcome.status == "sent" else log.warning
        log_method(
            event,
            account=self._account,
            openid=openid,
            conversation_id=conversation_id,
            status=outcome.status,
            reason=outcome.reason,
            errcode=outcome.errcode,
            attempts=outcome.attempts,
        )
        await to_thread.run_sync(self._insert, openid, conversation_id, text, outcome)

    def _insert(
        self, openid: str, conversation_id: str | None, text: str, outcome: SendOutcome
    ) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(wechat_outbound).values(
                    account=self._account,
                    openid=openid,
                    conversation_id=conversation_id,
                    text=text,
                    status=outcome.status,
                    reason=outcome.reason,
                    errcode=outcome.errcode,
                    attempts=outcome.attempts,
                    created_at=datetime.now(UTC),
                )
            )
