"""WebSocket /ws/agent: the console's live events, and the agent's presence.

The console opens with {"type": "hello", "token"} (or ?token=) as an agent and gets
{"type": "welcome", "agent", "ice_servers"}. It then receives every "state", "message",
"typing" and "ticket" event of conversations that people handle, and may send "typing"
{conversation_id, on} and "ping". While a console is open the agent counts as
online (a heartbeat keeps the row fresh for every app worker).

Calls (WebRTC signalling): "call" {conversation_id, action, media, sdp?, candidate?,
reason?} goes between the customer's widget and the consoles of the agent holding the
conversation, nobody else. The customer's call frames are published on the agents'
topic with the holder's user name ("agent") and each console lets through only its
own agent's; the agent's go to the conversation's topic, which only the customer's
sockets hear. A call's start and end are stored as conversation events (never media).
"""

from __future__ import annotations

import asyncio
import contextlib

import anyio
import structlog
from anyio import to_thread
from fastapi import APIRouter, WebSocket

from channels.api import socket_session
from channels.api.agent_auth import identify
from channels.api.call_signalling import call_of, record_call
from channels.api.dependencies import services_of
from channels.api.socket_frames import BadFrame, error_frame
from channels.api.socket_session import Frame, Outbox
from channels.conversations.model import ConversationState
from channels.handoff.agent_presence import Agent
from channels.handoff.assembly import WIDGET, LiveServices
from channels.live.hub import AGENTS, conversation_topic
from channels.web.errors import ClientError, NotFound

router = APIRouter()
log = structlog.get_logger(__name__)
# Consoles of this worker, by agent: the agent goes offline when the last one closes.
_open_consoles: dict[str, int] = {}


class AgentSession:
    """One console socket."""

    def __init__(self, live: LiveServices, agent: Agent, outbox: Outbox) -> None:
        self.live = live
        self.agent = agent
        self.outbox = outbox
        # (conversation id, media) of a call this console took part in and did not end
        # itself: when the console closes, the call is hung up for it.
        self.call: tuple[str, str] | None = None

    def hears(self, event: Frame) -> bool:
        """Every event of the agents' topic, but a call only when addressed to this agent."""
        return event.get("type") != "call" or event.get("agent") == self.agent.username

    async def handle(self, frame: Frame) -> None:
        """Act on one console frame."""
        kind = frame["type"]
        if kind == "typing":
            conversation_id = frame.get("conversation_id")
            if not isinstance(conversation_id, str):
                raise BadFrame("invalid_input", "缺少会话编号。", "conversation_id")
            held = await self.live.desk.held(conversation_id[:64], self.agent)
            on = frame.get("on") is True
            await self.live.handoff.live.typing(held.id, "agent", on, to_agents=False)
        elif kind == "ping":
            await to_thread.run_sync(self.live.handoff.presence.seen, self.agent)
            await self.outbox.put({"type": "pong"})
        elif kind == "call":
            await self._call(frame)
        else:
            raise BadFrame("unknown_type", "不支持的消息类型。", "type")

    async def _call(self, frame: Frame) -> None:
        """Relay a call frame to the customer of a widget conversation this agent holds."""
        call = call_of(frame)
        refused = ClientError("call_not_allowed", "只能与您正在接待的网页客户通话。")
        wanted = frame.get("conversation_id")
        if not isinstance(wanted, str):
            raise refused
        try:
            conversation = await self.live.handoff.current(wanted[:64])
        except NotFound:
            raise refused from None
        held = conversation.state is ConversationState.AGENT
        if not held or conversation.agent != self.agent.username or conversation.channel != WIDGET:
            raise refused
        relayed = {"type": "call", "conversation_id": conversation.id, "from": "agent", **call}
        relayed["agent_name"] = self.agent.display_name
        # Known before anything is awaited: the console may close meanwhile.
        ended = call["action"] in ("decline", "hangup")
        self.call = None if ended else (conversation.id, call["media"])
        await self.live.handoff.live.publish(conversation_topic(conversation.id), relayed)
        await record_call(self.live, conversation, call, by_agent=True)

    async def left(self) -> None:
        """The console closed: a call it was in ends as if the agent hung up."""
        if self.call is None:
            return
        conversation_id, media = self.call
        hangup = {"conversation_id": conversation_id, "action": "hangup", "media": media}
        try:
            await self._call({"type": "call", **hangup})
        except Exception as exc:  # released meanwhile, or the database is away
            log.info("call_not_ended", conversation_id=conversation_id, error=repr(exc))

    async def heartbeat(self, seconds: float) -> None:
        """Keep the agent online while the console is open, and the queue moving: a
        conversation whose wait for a skilled agent is up goes to whoever has room."""
        while True:
            await to_thread.run_sync(self.live.handoff.presence.seen, self.agent)
            try:
                await self.live.handoff.assign_waiting()
            except Exception as exc:  # the agent stays online; the next beat tries again
                log.warning("assign_waiting_failed", error=repr(exc))
            await asyncio.sleep(seconds)


@router.websocket("/ws/agent")
async def agent_socket(websocket: WebSocket, token: str | None = None) -> None:
    """The console's live events (frames described in the module docstring)."""
    await websocket.accept()
    hello = await socket_session.first_frame(websocket)
    live = services_of(websocket).live
    offered = (hello or {}).get("token") or token
    try:
        identity = await identify(live, offered if isinstance(offered, str) else None)
    except ClientError as error:
        await websocket.send_json(error_frame(error))
        await websocket.close(code=1008)
        return
    agent = Agent(identity.username, identity.display_name)
    outbox = Outbox(websocket)
    session = AgentSession(live, agent, outbox)
    interval = max(live.handoff.presence.online_for.total_seconds() / 3, 1.0)

    ice_servers = services_of(websocket).settings.rtc_ice_servers

    async def welcome() -> Frame:
        return {"type": "welcome", "agent": identity.display_name, "ice_servers": ice_servers}

    async with live.hub.subscribe(AGENTS) as events:
        await to_thread.run_sync(live.handoff.presence.seen, agent)
        _open_consoles[agent.username] = _open_consoles.get(agent.username, 0) + 1
        beating = asyncio.create_task(session.heartbeat(interval))
        try:
            await socket_session.run(
                websocket, outbox, events, session.handle, welcome, session.hears
            )
        finally:
            beating.cancel()
            # Going offline must happen even when the server cancels the handler.
            with anyio.CancelScope(shield=True):
                with contextlib.suppress(asyncio.CancelledError):
                    await beating
                await session.left()
                await _closed(live, agent)


async def _closed(live: LiveServices, agent: Agent) -> None:
    _open_consoles[agent.username] -= 1
    if _open_consoles[agent.username] <= 0:
        del _open_consoles[agent.username]
        await to_thread.run_sync(live.handoff.presence.gone, agent.username)
