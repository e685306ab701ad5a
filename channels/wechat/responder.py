"""Answers one account's pushed messages within WeChat's five seconds, or later by API.

Each message is logged before anything else (the inbound log also drops retries).
The turn runs as a task: when it finishes within the budget its answer is the
passive reply; otherwise the request answers "success" at once and the task
delivers the answer through the customer-service API when it is ready. Which of
the two happens is decided atomically on the log row, so an answer is never both
replied and sent, and a retry never starts a second bot turn.

A worker that dies mid-turn leaves its row pending or late; `recover` (run every
minute by each worker) takes such rows over and answers them through the API. The
bot sees each message under a client id made from its row, so a turn taken over
after the bot answered stores nothing twice and sends the stored answer.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from anyio import to_thread

from channels.chat_service import ChatService
from channels.conversation import Reply, Role
from channels.conversation_store import ConversationStore
from channels.errors import NotFound, ServiceUnavailable
from channels.wechat.binding import Binding
from channels.wechat.commands import BIND_HELP, BIND_HINT, Command, binding_command
from channels.wechat.customer_messages import CustomerMessages
from channels.wechat.inbound import Inbound
from channels.wechat.inbound_log import InboundLog, StaleTurn, TurnStatus
from channels.wechat.rendering import as_text, chunks
from channels.wechat.users import WeChatUser, WeChatUsers

log = structlog.get_logger(__name__)
T = TypeVar("T")

WELCOME = (
    "您好，欢迎关注开票助手！开票政策和操作问题可以直接问我；"
    "办理开票、查票等业务前请先绑定开票账号（发送“绑定”查看方法）。"
)
IMAGE_REPLY = (
    "已收到您的图片。目前我只能理解文字消息，请用文字描述您的问题；如需人工帮助，请回复“转人工”。"
)
FILE_REPLY = (
    "已收到您的文件。批量开票的 Excel/CSV 文件请在网页版开票助手的聊天窗口中上传，"
    "微信中暂不支持处理文件。"
)
OTHER_REPLY = "目前我只能理解文字消息，请用文字描述您的问题。"
FAILED_REPLY = "抱歉，处理您的消息时出错了。您的消息已保存，请稍后再试。"
POLL_SECONDS = 0.1
# The rest of a long answer follows the passive reply, not overtakes it.
FOLLOW_UP_DELAY_SECONDS = 1.0
# Older messages are past WeChat's 48-hour customer-service window: not taken over.
RECOVER_WITHIN = timedelta(hours=48)


@dataclass(frozen=True)
class Answer:
    """What a turn says, in which conversation."""

    conversation_id: str | None
    text: str


class WeChatResponder:
    """Turns one account's inbound messages into replies."""

    def __init__(
        self,
        account: str,
        store: ConversationStore,
        chat: ChatService,
        users: WeChatUsers,
        inbound: InboundLog,
        binding: Binding,
        messages: CustomerMessages,
        budget_seconds: float,
    ) -> None:
        self._account = account
        self._store = store
        self._chat = chat
        self._users = users
        self._inbound = inbound
        self._binding = binding
        self.messages = messages
        self._budget = budget_seconds
        self._running: set[asyncio.Task[Any]] = set()

    async def respond(self, message: Inbound) -> str | None:
        """The passive reply's text, or None to answer "success"."""
        claim = await _off_loop(
            self._inbound.claim,
            self._account,
            message.msg_key,
            message.openid,
            message.kind,
            message.summary,
        )
        if not claim.first:
            log.info("wechat_retry", account=self._account, msg_key=message.msg_key)
            return await self._await_first(claim.row_id)
        task: asyncio.Task[str | None] = self._start(self._turn(message, claim.row_id))
        done, _ = await asyncio.wait({task}, timeout=self._budget)
        if done or not await _off_loop(self._inbound.declare_late, claim.row_id):
            return await task
        log.info("wechat_answer_late", account=self._account, msg_key=message.msg_key)
        return None

    async def recover(self) -> None:
        """Answer the messages whose worker died mid-turn, through the API."""
        since = datetime.now(UTC) - RECOVER_WITHIN
        for turn in await _off_loop(self._inbound.stale, self._account, since):
            if not await _off_loop(self._inbound.take_over, turn):
                continue
            log.warning("wechat_turn_recovered", account=self._account, msg_key=turn.msg_key)
            answer = await self._answer(_message_of(self._account, turn), turn.row_id)
            await self._deliver_late(turn.openid, answer, turn.row_id)

    async def drain(self) -> None:
        """Wait for the turns still running (at shutdown, and in tests)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    def _start(self, work: Any) -> asyncio.Task[Any]:
        task: asyncio.Task[Any] = asyncio.create_task(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _await_first(self, row_id: int) -> str | None:
        """A retry answers with the first request's reply if it is ready in time."""
        deadline = asyncio.get_running_loop().time() + self._budget
        while asyncio.get_running_loop().time() < deadline:
            state = await _off_loop(self._inbound.state, row_id)
            if state.status is TurnStatus.ANSWERED:
                return state.reply or None
            if state.status is TurnStatus.LATE:
                return None
            await asyncio.sleep(POLL_SECONDS)
        return None

    async def _turn(self, message: Inbound, row_id: int) -> str | None:
        answer = await self._answer(message, row_id)
        pieces = chunks(answer.text)
        if await _off_loop(self._inbound.answer, row_id, pieces[0] if pieces else ""):
            if len(pieces) > 1:
                self._start(self._follow_up(message.openid, answer.conversation_id, pieces[1:]))
            return pieces[0] if pieces else None
        await self._deliver_late(message.openid, answer, row_id)
        return None

    async def _answer(self, message: Inbound, row_id: int) -> Answer:
        try:
            return await self._route(message, f"{self._account}-inbound-{row_id}")
        except Exception:
            log.exception("wechat_turn_failed", account=self._account, msg_key=message.msg_key)
            return Answer(None, FAILED_REPLY)

    async def _deliver_late(self, openid: str, answer: Answer, row_id: int) -> None:
        pieces = chunks(answer.text)
        if pieces:
            await self.messages.send_texts(openid, answer.conversation_id, pieces)
        await _off_loop(self._inbound.mark_delivered, row_id)

    async def _follow_up(self, openid: str, conversation_id: str | None, pieces: list[str]) -> None:
        await asyncio.sleep(FOLLOW_UP_DELAY_SECONDS)
        await self.messages.send_texts(openid, conversation_id, pieces)

    async def _route(self, message: Inbound, client_id: str) -> Answer:
        user = await _off_loop(self._users.arrive, self._account, message.openid)
        if message.kind == "event":
            return await self._event(message, user, client_id)
        if message.kind == "text":
            return await self._text(message.text, user, client_id)
        reply = {"image": IMAGE_REPLY, "file": FILE_REPLY}.get(message.kind, OTHER_REPLY)
        return await self._record(user, message.summary, reply)

    async def _event(self, message: Inbound, user: WeChatUser, client_id: str) -> Answer:
        if message.event == "subscribe":
            await _off_loop(self._users.set_subscribed, self._account, user.openid, True)
            return await self._record(user, message.summary, WELCOME)
        if message.event == "unsubscribe":
            await _off_loop(self._users.set_subscribed, self._account, user.openid, False)
            return Answer(user.conversation_id, "")
        if message.event == "click" and message.text:
            return await self._text(message.text, user, client_id)
        return Answer(user.conversation_id, "")  # view, location, scan: nothing to say

    async def _text(self, text: str, user: WeChatUser, client_id: str) -> Answer:
        pending = await _off_loop(self._binding.has_pending_code, self._account, user.openid)
        command = binding_command(text, pending)
        if command is not None:
            reply = await _off_loop(self._binding_reply, command, user)
            return await self._record(user, text, reply)
        return await self._ask_bot(text, user, client_id)

    def _binding_reply(self, command: Command, user: WeChatUser) -> str:
        if command.name == "bind":
            return self._binding.request(self._account, user.openid, command.argument)
        if command.name == "code":
            return self._binding.confirm(self._account, user.openid, command.argument)
        if command.name == "unbind":
            return self._binding.unbind(self._account, user.openid)
        return BIND_HELP

    async def _ask_bot(self, text: str, user: WeChatUser, client_id: str) -> Answer:
        # The conversation is mapped before the bot sees the message, so that notices
        # sent during the turn (a handoff) already find their way to this user.
        conversation_id = await _off_loop(self._conversation_of, user.openid)
        try:
            turn = await self._chat.handle(
                conversation_id, text, self._account, user.username, client_id
            )
        except ServiceUnavailable as error:
            return Answer(conversation_id, error.message)
        reply = as_text(turn.replies)
        if user.username is None and "绑定开票账号" in reply:
            reply = f"{reply}\n\n{BIND_HINT}"
        return Answer(conversation_id, reply)

    async def _record(self, user: WeChatUser, text: str, reply: str) -> Answer:
        """Keep a message the bot does not see, and the channel's reply, in the conversation."""
        return await _off_loop(self._record_sync, user.openid, text, reply)

    def _record_sync(self, openid: str, text: str, reply: str) -> Answer:
        conversation_id = self._conversation_of(openid)
        inbound = self._store.receive(conversation_id, text)
        self._store.answer(inbound, [Reply(reply)], Role.BOT)
        return Answer(conversation_id, reply)

    def _conversation_of(self, openid: str) -> str:
        """The user's conversation, started (and remembered) when there is none to continue."""
        user = self._users.find(self._account, openid)  # binding may have just changed it
        username = user.username if user else None
        current = user.conversation_id if user else None
        try:
            conversation = self._store.open(current, self._account, username)
        except NotFound:  # the conversation became another user's (rebinding)
            conversation = self._store.open(None, self._account, username)
        if conversation.id != current:
            self._users.set_conversation(self._account, openid, conversation.id)
        return conversation.id


def _message_of(account: str, turn: StaleTurn) -> Inbound:
    """The logged message again: a text is asked again; other kinds keep their summary."""
    text = turn.content if turn.msg_type == "text" else ""
    return Inbound(
        account, turn.openid, "", turn.msg_key, turn.msg_type, text, summary=turn.content
    )


async def _off_loop(function: Callable[..., T], *args: Any) -> T:
    return await to_thread.run_sync(function, *args)
