"""One chat turn: store what the user sent, ask the bot, store and return its replies."""

from __future__ import annotations

from dataclasses import dataclass

import structlog
from anyio import to_thread

from channels.conversation import Conversation, Message, Role
from channels.conversation_store import ConversationStore
from channels.errors import ServiceUnavailable
from channels.rasa_client import RasaClient, RasaUnavailable

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class ChatTurn:
    """The conversation after a turn and the messages the turn produced."""

    conversation: Conversation
    replies: list[Message]


class ChatService:
    """Routes a user's message to the bot, keeping every message in the store."""

    def __init__(self, store: ConversationStore, rasa: RasaClient) -> None:
        self._store = store
        self._rasa = rasa

    async def handle(
        self, conversation_id: str | None, text: str, channel: str, username: str | None = None
    ) -> ChatTurn:
        """Handle one user message; the message is stored before the bot sees it."""
        conversation = await to_thread.run_sync(
            self._store.open, conversation_id, channel, username
        )
        inbound = await to_thread.run_sync(self._store.receive, conversation.id, text)
        try:
            metadata = {"channel": channel, "logged_in": username is not None}
            replies = await self._rasa.send(conversation.id, text, metadata)
        except RasaUnavailable as exc:
            log.warning("rasa_unavailable", conversation_id=conversation.id, error=str(exc))
            raise ServiceUnavailable(
                "bot_unavailable",
                "智能助手暂时无法响应，您的消息已保存，请稍后再试或联系人工客服。",
                conversation_id=conversation.id,
            ) from exc
        stored = await to_thread.run_sync(self._store.answer, inbound, replies, Role.BOT)
        return ChatTurn(conversation, stored)
