"""Routes one WeChat or WeCom message: to the bot, to the binding commands, an invoice
picture or file to recognition (channels/wechat/receipts.py), or to a fixed reply,
keeping every message and reply in the user's conversation.

The router knows nothing of WeChat's five seconds: channels/wechat/turn_timer.py
runs it against the clock and decides how its answer reaches the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from anyio import to_thread

from channels.chat.service import ChatService
from channels.conversations.model import Reply, Role
from channels.conversations.store import ConversationStore
from channels.notices.board import NoticeBoard
from channels.notices.notice import notice_line
from channels.web.errors import NotFound, ServiceUnavailable
from channels.wechat.binding import Binding
from channels.wechat.commands import BIND_HELP, BIND_HINT, Command, binding_command
from channels.wechat.inbound import Inbound
from channels.wechat.receipts import RECORD_WORDS, InvoiceReceipts, is_invoice_document
from channels.wechat.rendering import as_text
from channels.wechat.users import WeChatUser, WeChatUsers

WELCOME = (
    "您好，欢迎关注开票助手！开票政策和操作问题可以直接问我；"
    "办理开票、查票等业务前请先绑定开票账号（发送“绑定”查看方法）。"
)
IMAGE_REPLY = (
    "已收到您的图片。目前我只能理解文字消息，请用文字描述您的问题；如需人工帮助，请回复“转人工”。"
)
FILE_REPLY = (
    "已收到您的文件。批量开票的 Excel/CSV 文件请在网页版开票助手的聊天窗口中上传，"
    "这里暂不支持处理文件。"
)
OTHER_REPLY = "目前我只能理解文字消息，请用文字描述您的问题。"
INVOICE_NEEDS_BINDING = f"识别和录入收到的发票需要先绑定开票账号。\n\n{BIND_HINT}"


@dataclass(frozen=True)
class Answer:
    """What a turn says, in which conversation."""

    conversation_id: str | None
    text: str


class MessageRouter:
    """Turns one account's inbound message into its answer."""

    def __init__(
        self,
        account: str,
        store: ConversationStore,
        chat: ChatService,
        users: WeChatUsers,
        binding: Binding,
        receipts: InvoiceReceipts | None = None,
        board: NoticeBoard | None = None,
    ) -> None:
        self._account = account
        self._store = store
        self._chat = chat
        self._users = users
        self._binding = binding
        self._receipts = receipts
        # Notices are said once to each bound user, before an answer of the bot.
        self._board = board

    async def route(self, message: Inbound, client_id: str) -> Answer:
        """The answer to `message`; the bot sees it under `client_id` (stored once)."""
        user = await to_thread.run_sync(self._users.arrive, self._account, message.openid)
        if message.kind == "event":
            return await self._event(message, user, client_id)
        if message.kind == "text":
            return await self._text(message.text, user, client_id)
        if self._receipts is not None and is_invoice_document(message):
            return await self._invoice(self._receipts, message, user)
        reply = {"image": IMAGE_REPLY, "file": FILE_REPLY}.get(message.kind, OTHER_REPLY)
        return await self._record(user, message.summary, reply)

    async def _invoice(
        self, receipts: InvoiceReceipts, message: Inbound, user: WeChatUser
    ) -> Answer:
        if user.username is None:
            return await self._record(user, message.summary, INVOICE_NEEDS_BINDING)
        conversation_id = await to_thread.run_sync(self._conversation_of, user.openid)
        reply = await receipts.read(conversation_id, message)
        return await to_thread.run_sync(self._keep, conversation_id, message.summary, reply)

    async def _event(self, message: Inbound, user: WeChatUser, client_id: str) -> Answer:
        if message.event == "subscribe":
            await to_thread.run_sync(self._users.set_subscribed, self._account, user.openid, True)
            return await self._record(user, message.summary, WELCOME)
        if message.event == "unsubscribe":
            await to_thread.run_sync(self._users.set_subscribed, self._account, user.openid, False)
            return Answer(user.conversation_id, "")
        if message.event == "click" and message.text:
            return await self._text(message.text, user, client_id)
        return Answer(user.conversation_id, "")  # view, location, scan: nothing to say

    async def _text(self, text: str, user: WeChatUser, client_id: str) -> Answer:
        pending = await to_thread.run_sync(
            self._binding.has_pending_code, self._account, user.openid
        )
        command = binding_command(text, pending)
        if command is not None:
            reply = await to_thread.run_sync(self._binding_reply, command, user)
            return await self._record(user, text, reply)
        if self._receipts is not None and user.username and text.strip() in RECORD_WORDS:
            conversation_id = await to_thread.run_sync(self._conversation_of, user.openid)
            recorded = await self._receipts.record(conversation_id)
            if recorded is not None:
                return await to_thread.run_sync(self._keep, conversation_id, text, recorded)
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
        conversation_id = await to_thread.run_sync(self._conversation_of, user.openid)
        try:
            turn = await self._chat.handle(
                conversation_id, text, self._account, user.username, client_id
            )
        except ServiceUnavailable as error:
            return Answer(conversation_id, error.message)
        reply = as_text(turn.replies)
        if user.username is None and "绑定开票账号" in reply:
            reply = f"{reply}\n\n{BIND_HINT}"
        if user.username is not None:
            reply = "\n\n".join([*await self._notices_for(user), reply])
        return Answer(conversation_id, reply)

    async def _notices_for(self, user: WeChatUser) -> list[str]:
        """The notices shown now that this user has not been shown yet, as lines."""
        if self._board is None:
            return []
        now = datetime.now(UTC)
        recipient = f"{self._account}:{user.openid}"
        lines = []
        for notice in await to_thread.run_sync(self._board.shown, now):
            if await to_thread.run_sync(self._board.first_showing, notice.id, recipient):
                lines.append(notice_line(notice, now))
        return lines

    async def _record(self, user: WeChatUser, text: str, reply: str) -> Answer:
        """Keep a message the bot does not see, and the channel's reply, in the conversation."""
        return await to_thread.run_sync(self._record_sync, user.openid, text, reply)

    def _record_sync(self, openid: str, text: str, reply: str) -> Answer:
        return self._keep(self._conversation_of(openid), text, Reply(reply))

    def _keep(self, conversation_id: str, text: str, reply: Reply) -> Answer:
        """Store what the user sent and the channel's own reply; the reply as WeChat text."""
        inbound = self._store.receive(conversation_id, text)
        stored = self._store.answer(inbound, [reply], Role.BOT)
        return Answer(conversation_id, as_text(stored))

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
