"""Call signalling (WebRTC) between a customer and the agent holding the conversation:
what a "call" frame may carry, and a call's start and end kept as conversation events.

The sockets relay the frames (channels/api/chat_socket.py, agent_socket.py); no media
passes through the app.
"""

from __future__ import annotations

from typing import Any

from anyio import to_thread

from channels.api.socket_frames import BadFrame
from channels.api.socket_session import Frame
from channels.conversations.model import Conversation, Reply
from channels.handoff.assembly import LiveServices

# Call signalling (WebRTC): what may be relayed between a customer and their agent.
CALL_ACTIONS = frozenset({"invite", "accept", "decline", "offer", "answer", "candidate", "hangup"})
CALL_MEDIA = {"video": "视频通话", "screen": "屏幕共享"}
# Why a call was declined, when not just "no": the browser cannot share a screen, or
# no camera or microphone could be opened, or a call is already on.
DECLINE_REASONS = frozenset({"unsupported", "no_media", "busy"})
MAX_SDP_CHARS = 12_000
MAX_CANDIDATE_CHARS = 1_000


def call_of(frame: dict[str, Any]) -> dict[str, Any]:
    """The relayable part of a "call" frame, checked; anything else in it is dropped.

    {"action", "media", "sdp"? (offer, answer), "candidate"? (candidate: the browser's
    RTCIceCandidateInit), "reason"? (decline)}; refused with a call_invalid or
    call_too_large BadFrame."""
    action, media = frame.get("action"), frame.get("media")
    if action not in CALL_ACTIONS:
        raise BadFrame("call_invalid", "不支持的通话操作。", "action")
    if media not in CALL_MEDIA:
        raise BadFrame("call_invalid", "通话类型应为视频通话或屏幕共享。", "media")
    call: dict[str, Any] = {"action": action, "media": media}
    if action in ("offer", "answer"):
        call["sdp"] = _bounded(frame.get("sdp"), "sdp", MAX_SDP_CHARS)
    elif action == "candidate":
        call["candidate"] = _candidate(frame.get("candidate"))
    elif action == "decline" and frame.get("reason") in DECLINE_REASONS:
        call["reason"] = frame["reason"]
    return call


def _bounded(value: Any, field: str, limit: int) -> str:
    if not isinstance(value, str) or not value:
        raise BadFrame("call_invalid", "通话协商数据缺失或格式不正确。", field)
    if len(value) > limit:
        raise BadFrame("call_too_large", f"通话协商数据过长（最多 {limit} 个字符）。", field)
    return value


def _candidate(value: Any) -> dict[str, Any]:
    """An ICE candidate as RTCIceCandidateInit: the text, its media id and line index."""
    if not isinstance(value, dict):
        raise BadFrame("call_invalid", "通话协商数据缺失或格式不正确。", "candidate")
    text = value.get("candidate")
    if text != "":  # "" is the browser's end-of-candidates
        text = _bounded(text, "candidate", MAX_CANDIDATE_CHARS)
    mid, index = value.get("sdpMid"), value.get("sdpMLineIndex")
    if mid is not None and (not isinstance(mid, str) or len(mid) > 64):
        raise BadFrame("call_invalid", "通话协商数据格式不正确。", "candidate")
    if index is not None and (not isinstance(index, int) or isinstance(index, bool) or index < 0):
        raise BadFrame("call_invalid", "通话协商数据格式不正确。", "candidate")
    return {"candidate": text, "sdpMid": mid, "sdpMLineIndex": index}


async def record_call(
    live: LiveServices, conversation: Conversation, call: Frame, by_agent: bool
) -> None:
    """Store a call's start or end as a conversation event (the customer is "user"); an
    end is also said as a system line in the widget and the console."""
    action, media = call["action"], call["media"]
    if action not in ("accept", "decline", "hangup"):
        return
    agent = conversation.agent or "agent"
    sender, other = (agent, "user") if by_agent else ("user", agent)
    # The start is the offerer's (the other side accepted); an end is the sender's.
    actor = other if action == "accept" else sender
    handoffs = live.handoff.handoffs
    event = await to_thread.run_sync(handoffs.record_call, conversation.id, action, media, actor)
    if event is None or event.kind != "call_ended":
        return
    label = CALL_MEDIA[media]
    if event.detail.get("declined"):
        who = "客服" if by_agent else "客户"
        why = _REFUSALS.get(call.get("reason", ""), "{who}已拒绝").format(who=who)
        text = f"{label}未接通：{why}"
    else:
        text = f"{label}已结束，时长 {duration_text(event.detail['duration'])}"
    await live.handoff.tell(conversation, [Reply(text)])


_REFUSALS = {
    "unsupported": "{who}的浏览器不支持屏幕共享",
    "no_media": "{who}未能打开摄像头或麦克风",
    "busy": "{who}正在通话中",
}


def duration_text(seconds: int) -> str:
    """1分05秒, or 45秒 under a minute."""
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}分{rest:02d}秒" if minutes else f"{rest}秒"
