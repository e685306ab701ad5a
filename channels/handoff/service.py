"""The handoff: a conversation moves bot → waiting → agent → closed (or back to bot).

The bot knows nothing of agents; it only marks a reply as asking for a human. This
service changes the state, queues the conversation, assigns it to the online agent
with the fewest conversations (under a per-agent limit), preferring agents skilled in
the conversation's topic for a while, tells the user and publishes the change to the
consoles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import structlog
from anyio import to_thread

from channels.conversations.model import Conversation, ConversationState, Message, Reply, Role
from channels.conversations.store import ConversationStore
from channels.handoff import notices, topics
from channels.handoff.agent_presence import Agent, AgentPresence
from channels.handoff.skills import AgentSkills
from channels.handoff.store import Assignment, HandoffStore
from channels.handoff.tickets import Ticket, TicketStore
from channels.handoff.working_hours import WorkingHours
from channels.live.delivery import Deliveries
from channels.live.events import LiveEvents
from channels.live.hub import AGENTS
from channels.web.errors import Conflict, NotFound

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class HandoffPolicy:
    """How the handoff behaves (from settings)."""

    agent_limit: int
    auto_assign: bool
    unanswered_turns: int
    hours: WorkingHours
    # How long a conversation with a topic waits for an agent skilled in it while
    # one is online, before any agent may take it.
    skill_wait: timedelta


class Handoff:
    """Moves conversations between the bot, the queue and the agents."""

    def __init__(
        self,
        store: ConversationStore,
        handoffs: HandoffStore,
        presence: AgentPresence,
        tickets: TicketStore,
        live: LiveEvents,
        deliveries: Deliveries,
        policy: HandoffPolicy,
        skills: AgentSkills,
    ) -> None:
        self.store = store
        self.handoffs = handoffs
        self.presence = presence
        self.tickets = tickets
        self.skills = skills
        self.live = live
        self.deliveries = deliveries
        self.policy = policy

    async def request(
        self, conversation: Conversation, reason: str, asked: Mapping[str, object] | None = None
    ) -> list[Message]:
        """Ask for a human within the user's own turn; returns the notices for that turn.

        `asked` is the bot's handoff request ({reason, intent?, last_message}), if any."""
        if not self.policy.hours.is_open():
            notice = notices.after_hours(self.policy.hours.describe())
            return await self._add(conversation.id, [notice])
        recent = await to_thread.run_sync(self.store.history, conversation.id, 10)
        topic = topics.topic_of(asked or {}, recent)
        moved = await to_thread.run_sync(self.handoffs.to_waiting, conversation.id, reason, topic)
        if not moved:
            return []
        waiting = await self.current(conversation.id)
        await self.live.state(waiting)
        log.info("handoff_requested", conversation_id=conversation.id, reason=reason, topic=topic)
        # Without a topic from the conversation the user picks one, when routing uses it.
        routing = topic is None and bool(await to_thread.run_sync(self.skills.of_all))
        menu = [topics.menu()] if routing else []
        online = await to_thread.run_sync(self.presence.online)
        if not online:
            return await self._add(conversation.id, [notices.nobody_online(), *menu])
        assigned = await self._assign(waiting, online, False) if self.policy.auto_assign else None
        if assigned is not None:
            return await self._add(conversation.id, [notices.joined(assigned.display_name)])
        queue = await to_thread.run_sync(self.handoffs.queue)
        ahead = next((i for i, c in enumerate(queue) if c.id == conversation.id), 0)
        return await self._add(conversation.id, [notices.queued(ahead), *menu])

    async def choose_topic(self, conversation: Conversation, topic: str) -> list[Message]:
        """The waiting user picked what their question is about; it may now be assigned."""
        if not await to_thread.run_sync(self.handoffs.choose_topic, conversation.id, topic):
            return []
        await self.live.state(await self.current(conversation.id))
        said = await self._add(conversation.id, [topics.noted(topic)])
        await self.assign_waiting()
        return said

    async def claim(self, conversation_id: str, agent: Agent) -> Conversation:
        """An agent picks a waiting conversation from the queue."""
        name, display, limit = agent.username, agent.display_name, self.policy.agent_limit
        claimed = await to_thread.run_sync(
            self.handoffs.assign, conversation_id, name, display, limit, name
        )
        if claimed is Assignment.AGENT_FULL:
            raise Conflict(
                "agent_limit_reached",
                f"您同时接待的会话已达上限（{limit} 个），请先结束一些会话。",
            )
        if claimed is Assignment.NOT_WAITING:
            raise Conflict("not_waiting", "该会话已被其他客服接入或已不在排队中。")
        return await self._joined(conversation_id, agent)

    async def assign_waiting(self) -> None:
        """Give queued conversations to agents with room, the longest-waiting first.

        Called when an agent makes room and on every console's heartbeat, so a
        conversation waiting for a skilled agent goes to anyone once its wait is up."""
        if not self.policy.auto_assign:
            return
        online = await to_thread.run_sync(self.presence.online)
        if not online:
            return
        for waiting in await to_thread.run_sync(self.handoffs.queue):
            # One waiting for a skilled agent does not hold up those behind it,
            # but when nobody has room the rest need not be tried.
            if await self._assign(waiting, online, True) is None:
                _held, free = await self._room(online)
                if not free:
                    return

    async def _room(self, online: Sequence[Agent]) -> tuple[dict[str, int], list[Agent]]:
        """How many conversations each agent holds, and the online agents below the limit."""
        held = await to_thread.run_sync(self.handoffs.active_counts)
        return held, [a for a in online if held.get(a.username, 0) < self.policy.agent_limit]

    async def _assign(
        self, waiting: Conversation, online: Sequence[Agent], deliver: bool
    ) -> Agent | None:
        held, free = await self._room(online)
        routed = self._route(waiting, online, free, await to_thread.run_sync(self.skills.of_all))
        if not routed:
            return None
        agent = min(routed, key=lambda a: (held.get(a.username, 0), a.username))
        assigned = await to_thread.run_sync(
            self.handoffs.assign,
            waiting.id,
            agent.username,
            agent.display_name,
            self.policy.agent_limit,
        )
        if assigned is not Assignment.DONE:
            return None
        await self._joined(waiting.id, agent, deliver)
        return agent

    def _route(
        self,
        waiting: Conversation,
        online: Sequence[Agent],
        free: Sequence[Agent],
        skills: Mapping[str, frozenset[str]],
    ) -> Sequence[Agent]:
        """Who may take `waiting`: agents skilled in its topic while one is online and
        the wait is shorter than `skill_wait`; otherwise any agent with room."""
        topic = waiting.handoff_topic
        if topic is None:
            return free
        skilled = [a for a in free if topic in skills.get(a.username, ())]
        if skilled:
            return skilled
        since = waiting.waiting_since or datetime.now(UTC)
        patient = datetime.now(UTC) - since < self.policy.skill_wait
        if patient and any(topic in skills.get(a.username, ()) for a in online):
            return []
        return free

    async def _joined(
        self, conversation_id: str, agent: Agent, deliver: bool = True
    ) -> Conversation:
        conversation = await self.current(conversation_id)
        log.info("handoff_assigned", conversation_id=conversation_id, agent=agent.username)
        await self.live.state(conversation)
        if deliver:
            await self.tell(conversation, [notices.joined(agent.display_name)])
        return conversation

    async def back_to_bot(self, conversation: Conversation, actor: str | None) -> list[Message]:
        """The user stops waiting; the bot answers again. Returns the notice."""
        moved = await to_thread.run_sync(self.handoffs.to_bot, conversation.id, actor)
        if not moved:
            return []
        await self.live.state(await self.current(conversation.id))
        return await self._add(conversation.id, [Reply("好的，您可以继续向智能助手提问。")])

    async def leave_message(
        self, conversation: Conversation, contact: str, text: str
    ) -> tuple[Ticket, list[Message]]:
        """The user leaves a message for the agents; a waiting conversation returns to the bot."""
        ticket = await to_thread.run_sync(
            self.tickets.open_ticket, conversation.id, conversation.username, contact, text
        )
        if await to_thread.run_sync(self.handoffs.to_bot, conversation.id, "user"):
            await self.live.state(await self.current(conversation.id))
        await self.live.publish(AGENTS, {"type": "ticket", "id": ticket.id})
        return ticket, await self._add(conversation.id, [notices.ticket_opened(ticket.id)])

    async def rate(self, conversation: Conversation, score: int) -> list[Message]:
        """Store the user's rating of the conversation an agent closed."""
        if conversation.state is not ConversationState.CLOSED:
            raise Conflict("not_closed", "会话结束后才能评价。")
        events = await to_thread.run_sync(self.handoffs.events, conversation.id)
        closings = [event for event in events if event.kind == "closed"]
        given = await to_thread.run_sync(self.tickets.ratings_of, conversation.id)
        if not closings or len(given) >= len(closings):
            raise Conflict("already_rated", "您已经评价过本次服务，感谢您的反馈。")
        await to_thread.run_sync(self.tickets.rate, conversation.id, closings[-1].actor, score)
        return await self._add(conversation.id, [notices.thanks_for_rating(score)])

    async def current(self, conversation_id: str) -> Conversation:
        """The conversation as stored now."""
        found = await to_thread.run_sync(self.store.get, conversation_id)
        if found is None:
            raise NotFound("conversation_not_found", "会话不存在。", "conversation_id")
        return found

    async def tell(self, conversation: Conversation, replies: Sequence[Reply]) -> list[Message]:
        """Store system notices and deliver them outside the user's request."""
        stored = await self._add(conversation.id, replies)
        await self.deliver(conversation, stored)
        return stored

    async def deliver(self, conversation: Conversation, messages: Sequence[Message]) -> None:
        """Send stored messages to the user's channel and show them on the consoles."""
        await self.live.messages(conversation, messages, to_user=False)
        try:
            await self.deliveries.deliver(conversation, messages)
        except Exception as exc:  # a channel's failure must not undo the stored state
            log.warning("delivery_failed", conversation_id=conversation.id, error=repr(exc))

    async def _add(self, conversation_id: str, replies: Sequence[Reply]) -> list[Message]:
        return await to_thread.run_sync(self.store.add, conversation_id, Role.SYSTEM, replies)
