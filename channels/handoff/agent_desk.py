"""What an agent does with a conversation: read, reply, transfer, hand back, close."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from anyio import to_thread

from channels.conversations.model import Conversation, ConversationState, Message, Reply, Role
from channels.handoff import notices
from channels.handoff.agent_presence import Agent
from channels.handoff.service import Handoff
from channels.handoff.store import ConversationEvent
from channels.web.errors import Conflict, NotFound

TRANSCRIPT_LIMIT = 500


@dataclass(frozen=True)
class Transcript:
    """A conversation with all its messages (the bot's part too) and state changes."""

    conversation: Conversation
    messages: list[Message]
    events: list[ConversationEvent]


class AgentDesk:
    """The agent's side of the handoff; every action checks who holds the conversation."""

    def __init__(self, handoff: Handoff) -> None:
        self._handoff = handoff

    async def readable(self, conversation_id: str, agent: Agent) -> Conversation:
        """A conversation the agent may read: waiting in the queue, or held by them."""
        conversation = await self._handoff.current(conversation_id)
        if conversation.state is ConversationState.WAITING or conversation.agent == agent.username:
            return conversation
        raise NotFound("conversation_not_found", "会话不存在或不在您的接待中。", "conversation_id")

    async def held(self, conversation_id: str, agent: Agent) -> Conversation:
        """A conversation the agent holds now."""
        conversation = await self.readable(conversation_id, agent)
        if conversation.state is not ConversationState.AGENT:
            raise Conflict("not_held", "请先接入该会话。")
        return conversation

    async def transcript(self, conversation_id: str, agent: Agent) -> Transcript:
        """The whole conversation, bot part included; reading it clears the unread count."""
        conversation = await self.readable(conversation_id, agent)
        store, handoffs = self._handoff.store, self._handoff.handoffs
        messages = await to_thread.run_sync(store.history, conversation.id, TRANSCRIPT_LIMIT)
        events = await to_thread.run_sync(handoffs.events, conversation.id)
        if conversation.agent == agent.username:
            await to_thread.run_sync(handoffs.mark_read, conversation.id, agent.username)
        return Transcript(conversation, messages, events)

    async def mark_read(self, conversation_id: str, agent: Agent) -> None:
        """The agent has seen every message so far."""
        conversation = await self.held(conversation_id, agent)
        await to_thread.run_sync(self._handoff.handoffs.mark_read, conversation.id, agent.username)

    async def say(self, conversation_id: str, agent: Agent, text: str) -> Message:
        """Send the agent's reply to the user."""
        conversation = await self.held(conversation_id, agent)
        store = self._handoff.store
        replies = [Reply(text)]
        stored = await to_thread.run_sync(
            store.add, conversation.id, Role.AGENT, replies, agent.display_name
        )
        await self._handoff.deliver(conversation, stored)
        await to_thread.run_sync(self._handoff.handoffs.mark_read, conversation.id, agent.username)
        return stored[0]

    async def transfer(self, conversation_id: str, agent: Agent, to: str) -> Conversation:
        """Give the conversation to another online agent."""
        conversation = await self.held(conversation_id, agent)
        target = await to_thread.run_sync(self._handoff.presence.find, to)
        if target is None or target.username == agent.username:
            raise Conflict("agent_unavailable", "只能转接给其他在线的客服。", "to")
        moved = await to_thread.run_sync(
            self._handoff.handoffs.transfer,
            conversation.id,
            agent.username,
            target.username,
            target.display_name,
        )
        if not moved:
            raise Conflict("not_held", "该会话已不在您的接待中。")
        return await self._changed(conversation.id, notices.transferred(target.display_name))

    async def hand_back(self, conversation_id: str, agent: Agent) -> Conversation:
        """Give the conversation back to the bot."""
        release = self._handoff.handoffs.to_bot
        return await self._release(conversation_id, agent, release, notices.back_to_bot())

    async def close(self, conversation_id: str, agent: Agent) -> Conversation:
        """End the conversation and ask the user for a rating."""
        release = self._handoff.handoffs.close
        return await self._release(conversation_id, agent, release, notices.closed())

    async def _release(
        self,
        conversation_id: str,
        agent: Agent,
        release: Callable[[str, str, str | None], bool],
        notice: Reply,
    ) -> Conversation:
        conversation = await self.readable(conversation_id, agent)
        moved = await to_thread.run_sync(
            release, conversation.id, agent.username, conversation.agent
        )
        if not moved:
            raise Conflict("not_held", "该会话已不在您的接待中。")
        changed = await self._changed(conversation.id, notice)
        # The agent has room for the next waiting conversation.
        await self._handoff.assign_waiting()
        return changed

    async def _changed(self, conversation_id: str, notice: Reply) -> Conversation:
        conversation = await self._handoff.current(conversation_id)
        await self._handoff.live.state(conversation)
        await self._handoff.tell(conversation, [notice])
        return conversation
