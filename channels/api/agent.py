"""The agent console's API under /api/v1/agent: queue, conversations, replies, tickets,
and the agents' skills (set by a supervisor)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from anyio import to_thread
from fastapi import APIRouter, Path, Query
from pydantic import AfterValidator, BaseModel, Field, StringConstraints
from pydantic_core import PydanticCustomError

from channels.api.agent_auth import CurrentAgent, CurrentSupervisor, LiveDep
from channels.conversations.model import Conversation
from channels.handoff.agent_desk import Transcript
from channels.handoff.tickets import Ticket
from channels.handoff.topics import TOPICS
from channels.live.hub import AGENTS
from channels.web.errors import NotFound

router = APIRouter(prefix="/agent", tags=["agent console"])
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class SendIn(BaseModel):
    """An agent's reply."""

    text: Text


class TransferIn(BaseModel):
    """Whom to hand the conversation to."""

    to: Username


def _known_topic(code: str) -> str:
    if code not in TOPICS:
        raise PydanticCustomError("enum", "unknown topic")
    return code


class SkillsIn(BaseModel):
    """The topics an agent takes (codes of `GET /agent/skills`' `topics`)."""

    skills: list[Annotated[str, AfterValidator(_known_topic)]] = Field(max_length=len(TOPICS))


def conversation_json(conversation: Conversation) -> dict[str, Any]:
    """A conversation as the console lists it."""
    waited = None
    if conversation.waiting_since is not None:
        waited = int((datetime.now(UTC) - conversation.waiting_since).total_seconds())
    return {
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "state": conversation.state.value,
        "username": conversation.username,
        "agent": conversation.agent,
        "agent_name": conversation.agent_name,
        "reason": conversation.handoff_reason,
        "topic": conversation.handoff_topic,
        "topic_label": TOPICS.get(conversation.handoff_topic or ""),
        "waiting_since": since.isoformat() if (since := conversation.waiting_since) else None,
        "waiting_seconds": waited,
    }


def _transcript_json(transcript: Transcript) -> dict[str, Any]:
    return {
        **conversation_json(transcript.conversation),
        "messages": [message.to_frame() for message in transcript.messages],
        "events": [
            {"kind": e.kind, "actor": e.actor, "detail": e.detail, "at": e.created_at.isoformat()}
            for e in transcript.events
        ],
    }


def _ticket_json(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "username": ticket.username,
        "contact": ticket.contact,
        "text": ticket.text,
        "status": ticket.status,
        "created_at": ticket.created_at.isoformat(),
        "closed_by": ticket.closed_by,
    }


@router.get("/me")
async def me(agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """当前客服及在线客服列表。"""
    online = await to_thread.run_sync(live.handoff.presence.online)
    return {
        "username": agent.username,
        "display_name": agent.display_name,
        "agent_limit": live.handoff.policy.agent_limit,
        "supervisor": agent.supervisor,
        "working_hours": live.handoff.policy.hours.describe(),
        "online": [{"username": a.username, "display_name": a.display_name} for a in online],
    }


@router.get("/queue")
async def queue(agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """排队中的会话，等待最久的在前，含等待时长（秒）和最后一条用户消息。"""
    waiting = await to_thread.run_sync(live.handoff.handoffs.queue)
    items = []
    for conversation in waiting:
        words = await to_thread.run_sync(live.handoff.handoffs.last_words, conversation.id)
        items.append({**conversation_json(conversation), "last_text": words})
    return {"items": items}


@router.get("/conversations")
async def my_conversations(agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """我正在接待的会话及未读消息数。"""
    held = await to_thread.run_sync(live.handoff.handoffs.held_by, agent.username)
    return {
        "items": [
            {**conversation_json(h.conversation), "unread": h.unread, "last_text": h.last_text}
            for h in held
        ]
    }


@router.get("/conversations/{conversation_id}")
async def transcript(conversation_id: UUID, agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """会话的完整记录（含转人工之前与智能助手的对话）和状态变更。"""
    return _transcript_json(await live.desk.transcript(str(conversation_id), agent))


@router.get("/conversations/{conversation_id}/customer")
async def customer(conversation_id: UUID, agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """我接待中的会话的客户：所属企业和最近的发票（仅限接待该会话的客服）。"""
    conversation = await live.desk.held(str(conversation_id), agent)
    if conversation.username is None:
        return {"username": None, "company": None, "invoices": [], "anonymous": True}
    return await live.customer(conversation.id, conversation.username)


@router.post("/conversations/{conversation_id}/claim")
async def claim(conversation_id: UUID, agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """从队列中接入会话。"""
    readable = await live.desk.readable(str(conversation_id), agent)
    return conversation_json(await live.handoff.claim(readable.id, agent))


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def send(
    conversation_id: UUID, body: SendIn, agent: CurrentAgent, live: LiveDep
) -> dict[str, Any]:
    """向用户发送消息。"""
    message = await live.desk.say(str(conversation_id), agent, body.text)
    return message.to_frame()


@router.post("/conversations/{conversation_id}/read", status_code=204)
async def read(conversation_id: UUID, agent: CurrentAgent, live: LiveDep) -> None:
    """标记会话消息为已读。"""
    await live.desk.mark_read(str(conversation_id), agent)


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(
    conversation_id: UUID, body: TransferIn, agent: CurrentAgent, live: LiveDep
) -> dict[str, Any]:
    """转接给其他在线客服。"""
    return conversation_json(await live.desk.transfer(str(conversation_id), agent, body.to))


@router.post("/conversations/{conversation_id}/hand-back")
async def hand_back(conversation_id: UUID, agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """把会话交还智能助手。"""
    return conversation_json(await live.desk.hand_back(str(conversation_id), agent))


@router.post("/conversations/{conversation_id}/close")
async def close(conversation_id: UUID, agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """结束会话并邀请用户评分。"""
    return conversation_json(await live.desk.close(str(conversation_id), agent))


@router.get("/agents")
async def agents(agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """在线客服（可转接的对象）。"""
    online = await to_thread.run_sync(live.handoff.presence.online)
    return {"items": [{"username": a.username, "display_name": a.display_name} for a in online]}


@router.get("/skills")
async def skills(agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """问题类型，以及每位客服擅长的类型（转人工时优先分配给擅长该类型的客服）。"""
    known = await to_thread.run_sync(live.handoff.presence.known)
    held = await to_thread.run_sync(live.handoff.skills.of_all)
    return {
        "topics": [{"code": code, "label": label} for code, label in TOPICS.items()],
        "items": [
            {
                "username": a.username,
                "display_name": a.display_name,
                "skills": sorted(held.get(a.username, ())),
            }
            for a in known
        ],
    }


@router.put("/agents/{username}/skills")
async def set_skills(
    username: Annotated[str, Path(max_length=64)],
    body: SkillsIn,
    supervisor: CurrentSupervisor,
    live: LiveDep,
) -> dict[str, Any]:
    """设置一位客服擅长的问题类型（仅限客服主管）。"""
    known = await to_thread.run_sync(live.handoff.presence.known)
    if username not in {a.username for a in known}:
        message = "没有这位客服（客服至少登录过一次工作台后才能设置技能）。"
        raise NotFound("agent_not_found", message, "username")
    chosen = await to_thread.run_sync(live.handoff.skills.set, username, body.skills)
    await live.handoff.live.publish(AGENTS, {"type": "skills", "username": username})
    return {"username": username, "skills": sorted(chosen)}


@router.get("/canned-replies")
async def canned_replies(agent: CurrentAgent, live: LiveDep) -> dict[str, Any]:
    """常用回复。"""
    return {"items": live.canned_replies}


@router.get("/tickets")
async def tickets(
    agent: CurrentAgent,
    live: LiveDep,
    status: Annotated[Literal["open", "done", "all"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=2_000_000_000)] = 0,
) -> dict[str, Any]:
    """用户留言（工单），最早的在前，分页；total 为总数。"""
    found, total = await to_thread.run_sync(
        live.handoff.tickets.find, None if status == "all" else status, limit, offset
    )
    return {"items": [_ticket_json(ticket) for ticket in found], "total": total}


@router.post("/tickets/{ticket_id}/close")
async def close_ticket(
    ticket_id: Annotated[int, Path(ge=1, le=2_000_000_000)], agent: CurrentAgent, live: LiveDep
) -> dict[str, Any]:
    """把留言标记为已处理。"""
    if not await to_thread.run_sync(live.handoff.tickets.close_ticket, ticket_id, agent.username):
        raise NotFound("ticket_not_found", "留言不存在或已处理。", "ticket_id")
    await live.handoff.live.publish(AGENTS, {"type": "ticket", "id": ticket_id})
    return {"id": ticket_id, "status": "done"}
