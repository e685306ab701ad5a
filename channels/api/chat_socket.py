"""WebSocket /ws/chat: the widget's conversation, live.

Frames are JSON objects with a "type". The client opens with
{"type": "hello", "token"?, "conversation_id"?} (the token may also come as ?token=)
and gets {"type": "welcome", "conversation_id", "state", "agent", "user", "messages"}:
the recent history, so a reload or reconnect shows the conversation again (it comes
again whenever the server may have missed live events: Redis was down). Then
"message" {text, client_id} (a resend under the same client_id is stored once),
"typing" {on}, "back_to_bot", "ticket" {text, contact}, "rating" {score},
"feedback" {message_id, helpful} (👍/👎 on a knowledge answer), "ping", and "call"
{action, media, sdp?, candidate?, reason?} while an agent holds the conversation (WebRTC
signalling relayed to that agent's consoles only; see channels/api/agent_socket.py).
The server sends "message", "state", "typing", "ack", "feedback", "call", "error" and
"pong" frames; the welcome carries "ice_servers" (RTC_ICE_SERVERS) for calls. A socket
opened with a valid token also gets "notification" {id, kind, title, body, urgent}: each
new in-app notification of its user, live (channels/notifications/assembly.py).
Messages count against the same "chat" rate limit as POST /api/v1/chat; one too many
is not stored and is answered with {"type": "error", "code": "rate_limited",
"client_id", "retry_after"}, so the widget can send it again after that many seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import anyio
import structlog
from anyio import to_thread
from fastapi import APIRouter, WebSocket

from channels.api import socket_session
from channels.api.call_signalling import call_of, record_call
from channels.api.dependencies import services_of
from channels.api.socket_frames import BadFrame, client_id_of, error_frame, optional_text, text_of
from channels.api.socket_session import Frame, Outbox
from channels.chat.service import WITH_PEOPLE, ChatService
from channels.conversations.model import Conversation, ConversationState
from channels.conversations.store import ConversationStore
from channels.handoff.assembly import WIDGET, LiveServices
from channels.live.hub import AGENTS, conversation_topic, notifications_topic
from channels.web.errors import ClientError, NotFound
from channels.web.identity import Identity
from channels.web.rate_limit import Limits, RateLimited, client_address

router = APIRouter()
log = structlog.get_logger(__name__)
HISTORY = 50


@dataclass
class ChatSession:
    """One widget socket: its user and conversation."""

    live: LiveServices
    chat: ChatService
    store: ConversationStore
    outbox: Outbox
    user: Identity | None
    conversation: Conversation
    limits: Limits
    client: str
    # The media of a call this socket took part in and did not end itself: when the
    # socket goes away (the page closed) the call is hung up for it.
    call_media: str | None = None

    async def handle(self, frame: Frame) -> None:
        """Act on one client frame."""
        kind = frame["type"]
        if kind == "message":
            await self._message(frame)
        elif kind == "typing":
            on = frame.get("on") is True
            await self.live.handoff.live.typing(self.conversation.id, "user", on, to_agents=True)
        elif kind == "back_to_bot":
            await self._back_to_bot()
        elif kind == "ticket":
            await self._ticket(frame)
        elif kind == "rating":
            await self._rating(frame)
        elif kind == "feedback":
            await self._feedback(frame)
        elif kind == "ping":
            await self.outbox.put({"type": "pong"})
        elif kind == "call":
            await self._call(frame)
        else:
            raise BadFrame("unknown_type", "不支持的消息类型。", "type")

    async def _call(self, frame: Frame) -> None:
        """Relay a call frame to the consoles of the agent holding this conversation."""
        call = call_of(frame)
        wanted = frame.get("conversation_id")
        if wanted is not None and wanted != self.conversation.id:
            raise ClientError("call_not_allowed", "只能在当前会话中与客服通话。")
        conversation = await self._current()
        if conversation.state is not ConversationState.AGENT or conversation.agent is None:
            raise ClientError("call_not_allowed", "人工客服接入后才能进行视频通话。")
        relayed = {"type": "call", "conversation_id": conversation.id, "from": "user", **call}
        relayed["agent"] = conversation.agent  # only that agent's consoles let it through
        # Known before anything is awaited: the page may close meanwhile.
        ended = call["action"] in ("decline", "hangup")
        self.call_media = None if ended else call["media"]
        await self.live.handoff.live.publish(AGENTS, relayed)
        await record_call(self.live, conversation, call, by_agent=False)

    async def left(self) -> None:
        """The socket closed: a call it was in ends as if the customer hung up."""
        if self.call_media is None:
            return
        hangup = {"type": "call", "conversation_id": self.conversation.id, "action": "hangup"}
        try:
            await self._call({**hangup, "media": self.call_media})
        except Exception as exc:  # the agent's side times out on its own
            log.info("call_not_ended", conversation_id=self.conversation.id, error=repr(exc))

    async def _counted(self, rule: str, client_id: str | None = None) -> bool:
        """Count one against `rule`; past it, tell the widget when to try again."""
        try:
            await self.limits.hit(self.limits.rule(rule), self.client)
        except RateLimited as refused:
            retry = {"client_id": client_id, "retry_after": refused.retry_after}
            await self.outbox.put({**error_frame(refused), **retry})
            return False
        return True

    async def _message(self, frame: Frame) -> None:
        text, client_id = text_of(frame), client_id_of(frame)
        if not await self._counted("chat", client_id):
            return
        username = self.user.username if self.user else None
        turn = await self.chat.handle(self.conversation.id, text, WIDGET, username, client_id)
        self.conversation = turn.conversation
        if turn.duplicate:
            await self.outbox.put({"type": "ack", "client_id": client_id, "duplicate": True})

    async def _back_to_bot(self) -> None:
        current = await self.live.handoff.current(self.conversation.id)
        if current.state is ConversationState.WAITING:
            self.conversation = (await self.chat.back_to_bot(current)).conversation

    async def _ticket(self, frame: Frame) -> None:
        text = text_of(frame, "text", 1000)
        contact = optional_text(frame, "contact", 100) or (self.user.username if self.user else "")
        if not contact:
            raise BadFrame("invalid_input", "请留下手机号或邮箱，方便客服联系您。", "contact")
        if not await self._counted("ticket"):
            return
        ticket, said = await self.live.handoff.leave_message(await self._current(), contact, text)
        await self.live.handoff.live.messages(await self._current(), said)
        await self.outbox.put({"type": "ticket", "id": ticket.id})

    async def _rating(self, frame: Frame) -> None:
        score = frame.get("score")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 5:
            raise BadFrame("invalid_input", "评分应为 1 到 5 的整数。", "score")
        said = await self.live.handoff.rate(await self._current(), score)
        await self.live.handoff.live.messages(await self._current(), said)

    async def _feedback(self, frame: Frame) -> None:
        message_id, helpful = frame.get("message_id"), frame.get("helpful")
        if not isinstance(message_id, int) or isinstance(message_id, bool):
            raise BadFrame("invalid_input", "请指明要评价的回答。", "message_id")
        if not isinstance(helpful, bool):
            raise BadFrame("invalid_input", "请选择有用或没用。", "helpful")
        username = self.user.username if self.user else None
        if not await self.chat.rate(self.conversation, message_id, helpful, username):
            raise BadFrame("not_found", "只能评价本对话中智能助手的知识回答。", "message_id")
        await self.outbox.put({"type": "feedback", "message_id": message_id, "helpful": helpful})

    async def _current(self) -> Conversation:
        self.conversation = await self.live.handoff.current(self.conversation.id)
        return self.conversation


@router.websocket("/ws/chat")
async def chat_socket(websocket: WebSocket, token: str | None = None) -> None:
    """The widget's live conversation (frames described in the module docstring)."""
    await websocket.accept()
    hello = await socket_session.first_frame(websocket)
    if hello is None or hello.get("type") != "hello":
        await websocket.close(code=1008)
        return
    services = services_of(websocket)
    live = services.live
    outbox = Outbox(websocket)
    user = await _user(live, hello.get("token") or token, outbox)
    limits = services.limits
    client = client_address(websocket.scope)
    try:
        conversation = await _conversation(
            services.store, hello.get("conversation_id"), user, outbox, limits, client
        )
    except RateLimited as refused:
        await websocket.send_json({**error_frame(refused), "retry_after": refused.retry_after})
        await websocket.close(code=1013)  # try again later
        return
    session = ChatSession(
        live,
        services.chat,
        services.store,
        outbox,
        user,
        conversation,
        limits,
        client,
    )

    async def welcome() -> Frame:
        frame = await _welcome(services.store, session.conversation, user)
        return {**frame, "ice_servers": services.settings.rtc_ice_servers}

    # A logged-in user's socket also hears their in-app notifications, as they are made.
    topics = [conversation_topic(conversation.id)]
    if user is not None:
        topics.append(notifications_topic(user.username))
    async with live.hub.subscribe(*topics) as events:
        try:
            await socket_session.run(websocket, outbox, events, session.handle, welcome)
        finally:
            with anyio.CancelScope(shield=True):
                await session.left()


async def _user(live: LiveServices, token: Any, outbox: Outbox) -> Identity | None:
    if not token:
        return None
    user = await live.identify(str(token)[:512]) if isinstance(token, str) else None
    if user is None:
        error = ClientError("not_logged_in", "登录已失效，请重新登录；现在以访客身份继续。")
        await outbox.put(error_frame(error))
    return user


async def _conversation(
    store: ConversationStore,
    wanted: Any,
    user: Identity | None,
    outbox: Outbox,
    limits: Limits,
    client: str,
) -> Conversation:
    """The conversation asked for, else a new one (RateLimited: too many new for a guest)."""
    username = user.username if user else None
    if isinstance(wanted, str) and wanted:
        try:
            return await to_thread.run_sync(store.open, wanted[:64], WIDGET, username)
        except NotFound as error:
            await outbox.put(error_frame(error))
    if username is None:
        await limits.hit(limits.rule("guest"), client)
    return await to_thread.run_sync(store.open, None, WIDGET, username)


async def _welcome(
    store: ConversationStore, conversation: Conversation, user: Identity | None
) -> Frame:
    history = await to_thread.run_sync(store.history, conversation.id, HISTORY)
    fresh = await to_thread.run_sync(store.get, conversation.id)
    conversation = replace(conversation, state=fresh.state) if fresh else conversation
    return {
        "type": "welcome",
        "conversation_id": conversation.id,
        "state": conversation.state.value,
        "agent": fresh.agent_name if fresh else None,
        "user": user.display_name if user else None,
        "with_people": conversation.state in WITH_PEOPLE,
        "messages": [message.to_frame() for message in history],
    }
