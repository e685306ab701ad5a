"""One chat turn: store what the user sent, then ask the bot or pass it to the agent.

The bot's replies are stored and returned; a reply that asks for a human, a streak of
unanswered turns or a bot that does not answer hands the conversation over
(channels/handoff/service.py). While the queue or an agent holds a conversation the bot
stays silent in it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog
from anyio import to_thread

from channels.chat import answer_feedback
from channels.chat.rasa_client import RasaClient, RasaUnavailable
from channels.chat.turn_lock import LocalTurnLocks, TurnLocks
from channels.conversations.model import Conversation, ConversationState, Message, Reply, Role
from channels.conversations.store import ConversationStore
from channels.handoff import notices, topics
from channels.handoff.service import Handoff
from channels.notices.board import NoticeBoard
from channels.notices.notice import maintenance_reply
from channels.web.errors import ServiceUnavailable

log = structlog.get_logger(__name__)
WITH_PEOPLE = (ConversationState.WAITING, ConversationState.AGENT)
# A message for the agents typed on any channel: "留言 请回电话 138…" (up to 1000 characters).
LEAVE_MESSAGE = re.compile(r"^\s*留言[:：\s]+(?P<text>\S.{0,999})$", re.DOTALL)


@dataclass(frozen=True)
class ChatTurn:
    """The conversation after a turn and the messages the turn produced."""

    conversation: Conversation
    replies: list[Message]
    # The user's message had been handled before (a resend under the same client id);
    # the replies are then those stored for it the first time.
    duplicate: bool = False


class ChatService:
    """Routes a user's message to the bot or the agent, keeping every message in the store."""

    def __init__(
        self,
        store: ConversationStore,
        rasa: RasaClient,
        handoff: Handoff | None = None,
        ratings: answer_feedback.RatingSink | None = None,
        turns: TurnLocks | None = None,
        board: NoticeBoard | None = None,
    ) -> None:
        self._store = store
        self._rasa = rasa
        self._handoff = handoff
        self._ratings = ratings
        self._turns = turns or LocalTurnLocks()
        # The notices: during a maintenance window the bot's messages are kept, not sent.
        self._board = board

    async def close(self) -> None:
        """Let go of the turn locks' connections."""
        await self._turns.close()

    async def handle(
        self,
        conversation_id: str | None,
        text: str,
        channel: str,
        username: str | None = None,
        client_id: str | None = None,
    ) -> ChatTurn:
        """Handle one user message; the message is stored before the bot or agent sees it.

        A conversation's turns run one at a time, in the order they got its lock."""
        opened = await self._open(conversation_id, channel, username)
        async with self._turns.hold(opened.id):
            # Read again under the lock: an earlier turn may have handed it over.
            conversation = await self._open(opened.id, channel, username)
            return await self._turn(conversation, text, channel, username, client_id)

    async def _turn(
        self,
        conversation: Conversation,
        text: str,
        channel: str,
        username: str | None,
        client_id: str | None,
    ) -> ChatTurn:
        if client_id is None:
            inbound = await to_thread.run_sync(self._store.receive, conversation.id, text)
        else:
            inbound, new = await to_thread.run_sync(
                self._store.receive_once, conversation.id, text, client_id
            )
            if not new and await to_thread.run_sync(self._store.was_delivered, inbound.id):
                answered = await to_thread.run_sync(self._store.replies_to, inbound)
                return ChatTurn(conversation, answered, duplicate=True)
        await self._publish(conversation, [inbound])
        return await self._route(conversation, inbound, channel, username)

    async def answer_kept(self, conversation_id: str, message_id: int) -> ChatTurn | None:
        """Run the turn of a message kept during a maintenance window, as if it had just
        arrived; None when it has been answered already (or is gone)."""
        async with self._turns.hold(conversation_id):
            found = await to_thread.run_sync(self._store.get, conversation_id)
            if found is None:
                return None
            # As a new message would: a conversation closed meanwhile is opened again.
            conversation = await self._open(found.id, found.channel, found.username)
            return await self._kept_turn(conversation, message_id)

    async def _kept_turn(self, conversation: Conversation, message_id: int) -> ChatTurn | None:
        """A kept message's turn, unless it has been answered (under the turn lock)."""
        inbound = await to_thread.run_sync(self._store.message, conversation.id, message_id)
        if inbound is None or await to_thread.run_sync(self._store.was_delivered, inbound.id):
            return None
        return await self._route(
            conversation, inbound, conversation.channel, conversation.username, keep=False
        )

    async def _kept_first(self, conversation: Conversation) -> list[Message]:
        """The window has ended but a worker has not answered the conversation's kept
        messages yet: answer them now, before the new message, so answers keep their order."""
        if self._board is None:
            return []
        said: list[Message] = []
        for message_id in await to_thread.run_sync(self._board.kept, conversation.id):
            try:
                turn = await self._kept_turn(conversation, message_id)
            except ServiceUnavailable:  # handed to a person, as a new message would be
                turn = None
            await to_thread.run_sync(self._board.answered, message_id)
            if turn is not None:
                said.extend(turn.replies)
                conversation = turn.conversation  # a turn may have handed it over
        return said

    async def _route(
        self,
        conversation: Conversation,
        inbound: Message,
        channel: str,
        username: str | None,
        keep: bool = True,
    ) -> ChatTurn:
        """The stored message to whoever reads it: the handoff's words, the agents, or the
        bot (kept for later during a maintenance window, unless `keep` is False)."""
        text = inbound.for_bot
        if self._is_back_to_bot(conversation, text):
            # The notices' button, typed or tapped on a channel without the widget's frame.
            await to_thread.run_sync(self._store.mark_delivered, inbound.id)
            return await self.back_to_bot(conversation)
        topic = topics.chosen(text) if conversation.state is ConversationState.WAITING else None
        if topic is not None and self._handoff is not None:
            await to_thread.run_sync(self._store.mark_delivered, inbound.id)
            said = await self._handoff.choose_topic(conversation, topic)
            return await self._told(self._handoff, conversation, said)
        left = LEAVE_MESSAGE.match(text)
        if left and self._handoff is not None and conversation.state is not ConversationState.AGENT:
            # "留言 …" on any channel: WeChat and WeCom have no leave-message form.
            await to_thread.run_sync(self._store.mark_delivered, inbound.id)
            contact = f"{username or '未登录用户'}（{channel}）"
            return await self.leave_message(conversation, contact, left["text"].strip())
        if conversation.state in WITH_PEOPLE:
            await to_thread.run_sync(self._store.mark_delivered, inbound.id)
            return ChatTurn(conversation, [])
        if keep:
            kept = await self._kept_for_maintenance(conversation, inbound)
            if kept is not None:
                return kept
            earlier = await self._kept_first(conversation)
            if earlier:
                if self._handoff is not None:  # the earlier turns may have handed it over
                    conversation = await self._handoff.current(conversation.id)
                turn = await self._route(conversation, inbound, channel, username, keep=False)
                return ChatTurn(turn.conversation, [*earlier, *turn.replies])
        rated = await self._rating_typed(conversation, inbound, username)
        if rated is not None:
            return rated
        return await self._ask_bot(conversation, inbound, username is not None)

    async def _kept_for_maintenance(
        self, conversation: Conversation, inbound: Message
    ) -> ChatTurn | None:
        """During a maintenance window the message waits for its end (a worker answers it
        then: channels/chat/kept_turns.py); the user is told when service resumes."""
        if self._board is None:
            return None
        now = datetime.now(UTC)
        window = await to_thread.run_sync(self._board.maintenance, now)
        if window is None:
            return None
        await to_thread.run_sync(self._board.keep, inbound.id, conversation.id, window.id)
        said = await to_thread.run_sync(
            self._store.add, conversation.id, Role.SYSTEM, [Reply(maintenance_reply(window, now))]
        )
        await self._publish(conversation, said)
        return ChatTurn(conversation, said)

    async def rate(
        self, conversation: Conversation, message_id: int, helpful: bool, username: str | None
    ) -> bool:
        """Keep the user's rating of a knowledge answer; False when the message is not one."""
        message = await to_thread.run_sync(self._store.message, conversation.id, message_id)
        rating = (
            answer_feedback.rating_of(message, helpful, conversation.channel, username)
            if message is not None
            else None
        )
        if rating is None or self._ratings is None:
            return False
        await to_thread.run_sync(self._ratings, rating)
        return True

    async def _rating_typed(
        self, conversation: Conversation, inbound: Message, username: str | None
    ) -> ChatTurn | None:
        """ "1" or "2" right after a knowledge answer rates it (WeChat's way of thumbs)."""
        helpful = answer_feedback.TYPED.get(inbound.text.strip())
        if helpful is None:
            return None
        recent = await to_thread.run_sync(self._store.history, conversation.id, 2)
        if len(recent) < 2 or not await self.rate(conversation, recent[0].id, helpful, username):
            return None
        said = await to_thread.run_sync(
            self._store.answer, inbound, [answer_feedback.thanks(helpful)], Role.BOT
        )
        await self._publish(conversation, said)
        return ChatTurn(conversation, said)

    async def back_to_bot(self, conversation: Conversation) -> ChatTurn:
        """The user leaves the queue and goes on with the bot; the notice it got."""
        if self._handoff is None:
            return ChatTurn(conversation, [])
        said = await self._handoff.back_to_bot(conversation, "user")
        return await self._told(self._handoff, conversation, said)

    async def conversation_for(self, conversation_id: str, username: str) -> Conversation:
        """The user's conversation (a guest one becomes theirs); NotFound if another's."""
        return await self._open(conversation_id, "widget", username)

    async def record(self, conversation: Conversation, said: str, reply: Reply) -> ChatTurn:
        """What the user did in the widget outside a chat turn (a batch file checked or
        issued) and the app's answer, kept in the conversation and shown live like a turn:
        a reload and the agent's console show them too."""
        async with self._turns.hold(conversation.id):
            inbound = await to_thread.run_sync(self._store.receive, conversation.id, said)
            replies = await to_thread.run_sync(self._store.answer, inbound, [reply], Role.BOT)
        await self._publish(conversation, [inbound, *replies])
        return ChatTurn(conversation, [inbound, *replies])

    async def leave_message(self, conversation: Conversation, contact: str, text: str) -> ChatTurn:
        """The user's message for the agents becomes a ticket; the notice it got."""
        if self._handoff is None:
            return ChatTurn(conversation, [])
        _ticket, said = await self._handoff.leave_message(conversation, contact, text)
        return await self._told(self._handoff, conversation, said)

    async def _told(
        self, handoff: Handoff, conversation: Conversation, said: list[Message]
    ) -> ChatTurn:
        """The turn after the handoff changed the conversation: its state now, and the
        notices it gave, shown live."""
        current = await handoff.current(conversation.id)
        await self._publish(current, said)
        return ChatTurn(current, said)

    def _is_back_to_bot(self, conversation: Conversation, text: str) -> bool:
        return (
            self._handoff is not None
            and conversation.state is ConversationState.WAITING
            and text.strip() == notices.BACK_TO_BOT_BUTTON["payload"]
        )

    async def _open(
        self, conversation_id: str | None, channel: str, username: str | None
    ) -> Conversation:
        conversation = await to_thread.run_sync(
            self._store.open, conversation_id, channel, username
        )
        if conversation.state is ConversationState.CLOSED and self._handoff is not None:
            await to_thread.run_sync(self._handoff.handoffs.reopen, conversation.id)
            conversation = await self._handoff.current(conversation.id)
            # The widget's header said 会话已结束: it says who answers now.
            await self._handoff.live.state(conversation)
        return conversation

    async def _ask_bot(
        self, conversation: Conversation, inbound: Message, logged_in: bool
    ) -> ChatTurn:
        metadata = {
            "channel": conversation.channel,
            "logged_in": logged_in,
            # "这张发票": the received invoice read or recorded last in the conversation.
            "last_received_invoice": conversation.last_received_invoice,
        }
        await self._typing(conversation, True)
        try:
            replies = await self._rasa.send(conversation.id, inbound.for_bot, metadata)
        except RasaUnavailable as exc:
            log.warning("rasa_unavailable", conversation_id=conversation.id, error=str(exc))
            await self._bot_failed(conversation)
            raise ServiceUnavailable(
                "bot_unavailable",
                "智能助手暂时无法响应，您的消息已保存，请稍后再试或联系人工客服。",
                conversation_id=conversation.id,
            ) from exc
        finally:
            await self._typing(conversation, False)
        stored = await to_thread.run_sync(self._store.answer, inbound, replies, Role.BOT)
        handed = await self._hand_over_if_needed(conversation, replies)
        if self._handoff is not None:
            conversation = await self._handoff.current(conversation.id)
        await self._publish(conversation, [*stored, *handed])
        return ChatTurn(conversation, [*stored, *handed])

    async def _hand_over_if_needed(
        self, conversation: Conversation, replies: Sequence[Reply]
    ) -> list[Message]:
        if self._handoff is None:
            return []
        asked = next((reply.handoff for reply in replies if reply.handoff is not None), None)
        if asked is not None:
            reason = str(asked.get("reason") or "user_request")
            return await self._handoff.request(conversation, reason, asked)
        unanswered = any(reply.unanswered for reply in replies)
        streak = await to_thread.run_sync(
            self._handoff.handoffs.count_unanswered, conversation.id, unanswered
        )
        if streak >= self._handoff.policy.unanswered_turns:
            return await self._handoff.request(conversation, "unanswered")
        return []

    async def _bot_failed(self, conversation: Conversation) -> None:
        """The bot did not answer: tell the user and queue the conversation for a person."""
        if self._handoff is None:
            return
        try:
            said = await to_thread.run_sync(
                self._store.add, conversation.id, Role.SYSTEM, [notices.bot_failed()]
            )
            handed = await self._handoff.request(conversation, "bot_error")
            await self._publish(await self._handoff.current(conversation.id), [*said, *handed])
        except Exception as exc:  # the 503 below must still reach the user
            log.warning("handoff_after_bot_error_failed", error=repr(exc))

    async def _publish(self, conversation: Conversation, messages: Sequence[Message]) -> None:
        if self._handoff is not None and messages:
            await self._handoff.live.messages(conversation, messages)

    async def _typing(self, conversation: Conversation, on: bool) -> None:
        if self._handoff is not None:
            await self._handoff.live.typing(conversation.id, "bot", on, to_agents=False)
