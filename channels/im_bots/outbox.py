"""Messages to a DingTalk or Feishu user: a turn's answer, an agent's reply, a notice.

Registered with channels.live.delivery.Deliveries for "dingtalk" and "feishu". Every
attempt is recorded in wechat_outbound (the WeChat channel's table, its account
column naming the platform) with its outcome: nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import structlog
from anyio import to_thread
from sqlalchemy import Engine, insert

from channels.conversations.model import Conversation, Message
from channels.im_bots.rendering import Outgoing, outgoing
from channels.wechat.customer_service_api import SendOutcome
from channels.wechat.tables import wechat_outbound
from channels.wechat.users import WeChatUsers

log = structlog.get_logger(__name__)

# Send one message to a platform user; `reply_to` is DingTalk's sessionWebhook, if valid.
Send = Callable[[str, Outgoing, str], Awaitable[SendOutcome]]


class Outbox:
    """Sends to one platform's users and records every outcome."""

    def __init__(self, account: str, send: Send, users: WeChatUsers, engine: Engine) -> None:
        self._account = account
        self._send = send
        self._users = users
        self._engine = engine

    async def deliver(self, conversation: Conversation, messages: Sequence[Message]) -> None:
        """Send stored messages to the conversation's user (the Deliveries contract)."""
        message = outgoing(messages)
        if not message.text:
            return
        user = await to_thread.run_sync(self._users.of_conversation, self._account, conversation.id)
        if user is None:
            await self._record(
                "", conversation.id, message, SendOutcome("undeliverable", "no_user")
            )
            return
        await self.send(user.openid, conversation.id, message)

    async def send(
        self, user_id: str, conversation_id: str | None, message: Outgoing, reply_to: str = ""
    ) -> SendOutcome:
        """Send one message and record what became of it."""
        outcome = await self._send(user_id, message, reply_to)
        await self._record(user_id, conversation_id, message, outcome)
        return outcome

    async def _record(
        self, user_id: str, conversation_id: str | None, message: Outgoing, outcome: SendOutcome
    ) -> None:
        sent = outcome.status == "sent"
        (log.info if sent else log.warning)(
            "im_message_sent" if sent else "im_message_not_sent",
            account=self._account,
            user_id=user_id,
            conversation_id=conversation_id,
            status=outcome.status,
            reason=outcome.reason,
            attempts=outcome.attempts,
        )
        values: dict[str, object] = {
            "account": self._account,
            "openid": user_id,
            "conversation_id": conversation_id,
            "text": message.markdown or message.text,
            "status": outcome.status,
            "reason": (outcome.reason or "")[:64] or None,
            "errcode": outcome.errcode,
            "attempts": outcome.attempts,
            "created_at": datetime.now(UTC),
        }
        await to_thread.run_sync(self._insert, values)

    def _insert(self, values: dict[str, object]) -> None:
        with self._engine.begin() as connection:
            connection.execute(insert(wechat_outbound).values(**values))
