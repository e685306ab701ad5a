"""WeChat's five-second rule: answer within the budget, or say "success" and send later.

Each message is logged before anything else (the inbound log also drops retries).
The turn (channels/wechat/message_router.py) runs as a task: when it finishes
within the budget its answer is the passive reply; otherwise the request answers
"success" at once and the task delivers the answer through the customer-service
API when it is ready. Which of the two happens is decided atomically on the log
row, so an answer is never both replied and sent, and a retry never starts a
second bot turn.

A worker that dies mid-turn leaves its row pending or late; `recover` (run every
minute by each worker) takes such rows over and answers them through the API. The
bot sees each message under a client id made from its row, so a turn taken over
after the bot answered stores nothing twice and sends the stored answer.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog
from anyio import to_thread

from channels.wechat.background_turns import BackgroundTurns, message_of
from channels.wechat.customer_messages import CustomerMessages
from channels.wechat.inbound import Inbound
from channels.wechat.inbound_log import InboundLog, TurnStatus
from channels.wechat.message_router import Answer, MessageRouter
from channels.wechat.rendering import chunks

log = structlog.get_logger(__name__)

FAILED_REPLY = "抱歉，处理您的消息时出错了。您的消息已保存，请稍后再试。"
POLL_SECONDS = 0.1
# The rest of a long answer follows the passive reply, not overtakes it.
FOLLOW_UP_DELAY_SECONDS = 1.0
# Older messages are past WeChat's 48-hour customer-service window: not taken over.
RECOVER_WITHIN = timedelta(hours=48)


class TurnTimer(BackgroundTurns):
    """Runs one account's turns against WeChat's reply budget."""

    def __init__(
        self,
        account: str,
        router: MessageRouter,
        inbound: InboundLog,
        messages: CustomerMessages,
        budget_seconds: float,
    ) -> None:
        super().__init__(account, router, inbound)
        self.messages = messages
        self._budget = budget_seconds

    async def respond(self, message: Inbound) -> str | None:
        """The passive reply's text, or None to answer "success"."""
        claim = await self._claim(message)
        if not claim.first:
            log.info("wechat_retry", account=self._account, msg_key=message.msg_key)
            return await self._await_first(claim.row_id)
        task = self._start(self._turn(message, claim.row_id))
        done, _ = await asyncio.wait({task}, timeout=self._budget)
        if done or not await to_thread.run_sync(self._inbound.declare_late, claim.row_id):
            return await task
        log.info("wechat_answer_late", account=self._account, msg_key=message.msg_key)
        return None

    async def recover(self) -> None:
        """Answer the messages whose worker died mid-turn, through the API."""
        for turn in await self._taken_over(RECOVER_WITHIN):
            log.warning("wechat_turn_recovered", account=self._account, msg_key=turn.msg_key)
            answer = await self._answer(message_of(self._account, turn), turn.row_id)
            await self._deliver_late(turn.openid, answer, turn.row_id)

    async def _await_first(self, row_id: int) -> str | None:
        """A retry answers with the first request's reply if it is ready in time."""
        deadline = asyncio.get_running_loop().time() + self._budget
        while asyncio.get_running_loop().time() < deadline:
            state = await to_thread.run_sync(self._inbound.state, row_id)
            if state.status is TurnStatus.ANSWERED:
                return state.reply or None
            if state.status is TurnStatus.LATE:
                return None
            await asyncio.sleep(POLL_SECONDS)
        return None

    async def _turn(self, message: Inbound, row_id: int) -> str | None:
        answer = await self._answer(message, row_id)
        pieces = chunks(answer.text)
        if await to_thread.run_sync(self._inbound.answer, row_id, pieces[0] if pieces else ""):
            if len(pieces) > 1:
                self._start(self._follow_up(message.openid, answer.conversation_id, pieces[1:]))
            return pieces[0] if pieces else None
        await self._deliver_late(message.openid, answer, row_id)
        return None

    async def _answer(self, message: Inbound, row_id: int) -> Answer:
        try:
            return await self._router.route(message, self._client_id(row_id))
        except Exception:
            log.exception("wechat_turn_failed", account=self._account, msg_key=message.msg_key)
            return Answer(None, FAILED_REPLY)

    async def _deliver_late(self, openid: str, answer: Answer, row_id: int) -> None:
        pieces = chunks(answer.text)
        if pieces:
            await self.messages.send_texts(openid, answer.conversation_id, pieces)
        await to_thread.run_sync(self._inbound.mark_delivered, row_id)

    async def _follow_up(self, openid: str, conversation_id: str | None, pieces: list[str]) -> None:
        await asyncio.sleep(FOLLOW_UP_DELAY_SECONDS)
        await self.messages.send_texts(openid, conversation_id, pieces)
