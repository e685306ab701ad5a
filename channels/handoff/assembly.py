"""The live side of the app (hub, handoff, agent desk), built once per process in the lifespan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Engine

from channels.conversations.model import Conversation, Message
from channels.conversations.store import ConversationStore
from channels.handoff.agent_desk import AgentDesk
from channels.handoff.agent_presence import AgentPresence
from channels.handoff.service import Handoff, HandoffPolicy
from channels.handoff.skills import AgentSkills
from channels.handoff.store import HandoffStore
from channels.handoff.tickets import TicketStore
from channels.handoff.working_hours import WorkingHours
from channels.live.delivery import Deliveries
from channels.live.events import LiveEvents, message_event
from channels.live.hub import Hub, InProcessHub, conversation_topic
from channels.live.redis_hub import RedisHub
from channels.settings import AppSettings
from channels.web.identity import CustomerLookup, Identify, no_customer, nobody

WIDGET = "widget"
CANNED_REPLIES = [
    "您好，我是人工客服，请问有什么可以帮您？",
    "请稍等，我帮您查询一下。",
    "请提供一下发票号码，我帮您核实。",
    "数电发票开具后不能作废，如需更正请开具红字发票。",
    "请问还有其他问题吗？",
    "感谢您的耐心等待，祝您工作顺利！",
]


@dataclass
class LiveServices:
    """Everything the sockets and the agent API share within one app worker."""

    hub: Hub
    handoff: Handoff
    desk: AgentDesk
    deliveries: Deliveries
    identify: Identify = nobody
    customer: CustomerLookup = no_customer
    canned_replies: list[str] = field(default_factory=lambda: list(CANNED_REPLIES))


def make_hub(settings: AppSettings) -> Hub:
    """Redis pub/sub when REDIS_URL is set (several workers), in-process otherwise."""
    return RedisHub(settings.redis_url) if settings.redis_url else InProcessHub()


def build_live(
    settings: AppSettings, engine: Engine, store: ConversationStore, deliveries: Deliveries
) -> LiveServices:
    """Wire the hub, the stores and the handoff; the widget's delivery is registered here."""
    hub = make_hub(settings)
    policy = HandoffPolicy(
        agent_limit=settings.handoff_agent_limit,
        auto_assign=settings.handoff_auto_assign,
        unanswered_turns=settings.handoff_unanswered_turns,
        hours=WorkingHours.parse(
            settings.handoff_days, settings.handoff_hours, settings.handoff_timezone
        ),
        skill_wait=timedelta(seconds=settings.handoff_skill_wait_seconds),
    )
    live = LiveEvents(hub)
    handoff = Handoff(
        store,
        HandoffStore(engine),
        AgentPresence(engine, timedelta(seconds=settings.agent_online_seconds)),
        TicketStore(engine),
        live,
        deliveries,
        policy,
        AgentSkills(engine),
    )

    async def to_widget(conversation: Conversation, messages: Sequence[Message]) -> None:
        topic = conversation_topic(conversation.id)
        for message in messages:
            await live.publish(topic, message_event(conversation.id, message))

    deliveries.register(WIDGET, to_widget)
    return LiveServices(hub, handoff, AgentDesk(handoff), deliveries)
