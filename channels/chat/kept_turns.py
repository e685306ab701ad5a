"""The turns of messages kept during a maintenance window, run when it ends.

Every worker looks every few seconds (NOTICE_CHECK_EVERY_SECONDS); while no maintenance
window is current, it claims a conversation's kept messages (one UPDATE on their rows
decides, so two workers never both run them: channels/notices/board.py) and runs their
turns in the order they arrived, each under the conversation's turn lock, as if each had
just been sent. A message answered meanwhile (a resend after the window) is not answered
again. The answers reach the user live in the widget, and through the channel's own
delivery elsewhere (WeChat's customer-service messages, …).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import structlog
from anyio import to_thread

from channels.chat.service import ChatService, ChatTurn
from channels.handoff.assembly import WIDGET
from channels.live.delivery import Deliveries
from channels.notices.board import KeptMessage, NoticeBoard
from channels.web.errors import ServiceUnavailable

log = structlog.get_logger(__name__)


class KeptTurns:
    """One worker's runner of kept messages' turns."""

    def __init__(
        self, board: NoticeBoard, chat: ChatService, deliveries: Deliveries, worker: str
    ) -> None:
        self._board = board
        self._chat = chat
        self._deliveries = deliveries
        self._worker = worker

    async def run_once(self) -> int:
        """Answer every kept message no other worker is answering; how many were answered."""
        now = datetime.now(UTC)
        if await to_thread.run_sync(self._board.maintenance, now) is not None:
            return 0
        answered = 0
        for conversation_id in await to_thread.run_sync(self._board.waiting_conversations, now):
            kept = await to_thread.run_sync(self._board.claim, conversation_id, self._worker, now)
            try:
                for message in kept:
                    answered += await self._answer(message)
            finally:
                await to_thread.run_sync(self._board.release, conversation_id, self._worker)
        return answered

    async def run_forever(self, every_seconds: float) -> None:
        """Look every `every_seconds` (until cancelled); a failed round is logged."""
        while True:
            await asyncio.sleep(every_seconds)
            try:
                await self.run_once()
            except Exception as exc:  # the next round tries again
                log.warning("kept_turns_failed", error=repr(exc))

    async def _answer(self, message: KeptMessage) -> int:
        try:
            turn = await self._chat.answer_kept(message.conversation_id, message.message_id)
        except ServiceUnavailable:
            # The bot did not answer: as with a new message, a person was asked to take
            # the conversation over and the user was told (channels/chat/service.py).
            turn = None
        await to_thread.run_sync(self._board.answered, message.message_id)
        if turn is None:
            return 0
        log.info("kept_turn_answered", conversation_id=message.conversation_id)
        await self._deliver(turn)
        return 1

    async def _deliver(self, turn: ChatTurn) -> None:
        """The widget heard the answer live; other channels get it through their delivery."""
        if turn.conversation.channel != WIDGET and turn.replies:
            await self._deliveries.deliver(turn.conversation, turn.replies)
