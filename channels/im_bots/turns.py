"""A DingTalk or Feishu message: stored first, acknowledged at once, answered by a task.

Both platforms retry a callback not acknowledged in time (Feishu within 3 s), so the
callback only stores the message in the inbound log (which drops retries by msgId or
event_id) and returns; the turn (channels/wechat/message_router.py) runs as a task
and its answer goes out through the outbox (DingTalk: the sessionWebhook while it is
valid, else the robot's send API). The log row is declared late at once, so that
`recover` (run every minute) answers the turns of a worker that died mid-turn, as
the WeChat channel does; the bot sees each message under a client id made from its
row, so a recovered turn stores nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from anyio import to_thread

from channels.conversations.store import ConversationStore
from channels.im_bots.outbox import Outbox
from channels.im_bots.rendering import Outgoing, outgoing
from channels.wechat.background_turns import BackgroundTurns, message_of
from channels.wechat.inbound import Inbound
from channels.wechat.inbound_log import InboundLog
from channels.wechat.message_router import Answer, MessageRouter
from channels.wechat.turn_timer import FAILED_REPLY

log = structlog.get_logger(__name__)

# Older messages are not answered any more when their worker died.
RECOVER_WITHIN = timedelta(hours=24)
# How far back a turn's stored user message is looked for.
LOOK_BACK = 20


class BotTurns(BackgroundTurns):
    """Runs one platform's turns in the background."""

    def __init__(
        self,
        account: str,
        router: MessageRouter,
        inbound: InboundLog,
        store: ConversationStore,
        outbox: Outbox,
    ) -> None:
        super().__init__(account, router, inbound)
        self._store = store
        self.outbox = outbox

    async def accept(self, message: Inbound, reply_to: str = "") -> bool:
        """Store the message and start its turn; False for a retry of a stored one."""
        claim = await self._claim(message)
        if not claim.first:
            log.info("im_retry", account=self._account, msg_key=message.msg_key)
            return False
        await to_thread.run_sync(self._inbound.declare_late, claim.row_id)
        self._start(self._turn(message, claim.row_id, reply_to))
        return True

    async def recover(self) -> None:
        """Answer the messages whose worker died mid-turn, through the send API."""
        for turn in await self._taken_over(RECOVER_WITHIN):
            log.warning("im_turn_recovered", account=self._account, msg_key=turn.msg_key)
            await self._turn(message_of(self._account, turn), turn.row_id, "")

    async def _turn(self, message: Inbound, row_id: int, reply_to: str) -> None:
        client_id = self._client_id(row_id)
        try:
            answer = await self._router.route(message, client_id)
            reply = await to_thread.run_sync(self._rendered, answer, client_id)
        except Exception:
            log.exception("im_turn_failed", account=self._account, msg_key=message.msg_key)
            answer, reply = Answer(None, FAILED_REPLY), Outgoing(FAILED_REPLY)
        if reply.text:
            await self.outbox.send(message.openid, answer.conversation_id, reply, reply_to)
        await to_thread.run_sync(self._inbound.mark_delivered, row_id)

    def _rendered(self, answer: Answer, client_id: str) -> Outgoing:
        """The answer, drawn as a card when the bot's stored replies to the turn carry one."""
        if not answer.text or answer.conversation_id is None:
            return Outgoing(answer.text)
        history = self._store.history(answer.conversation_id, LOOK_BACK)
        asked = [message for message in history if message.client_id == client_id]
        replies = self._store.replies_to(asked[-1]) if asked else []
        return outgoing(replies, answer.text)
