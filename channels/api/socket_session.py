"""The loop every websocket runs: hub events and replies out, client frames in.

One task writes to the socket (frames never interleave); the hub's events and the
handler's answers both go through its outbox.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Any

import anyio
import structlog
from sqlalchemy.exc import OperationalError
from starlette.websockets import WebSocket, WebSocketDisconnect

from channels.api.errors import DATABASE_RETRY_SECONDS, is_transient
from channels.api.socket_frames import BadFrame, error_frame, parse
from channels.live.hub import RESYNC
from channels.web.errors import ClientError

Frame = dict[str, Any]
Handler = Callable[[Frame], Awaitable[None]]
# Frames read but not yet handled, at most; past it the socket is read no further
# until the handler catches up (a flood waits, it is not buffered without end).
QUEUED_FRAMES = 64
log = structlog.get_logger(__name__)


class Outbox:
    """Frames waiting to be written to one socket."""

    def __init__(self, websocket: WebSocket) -> None:
        self._websocket = websocket
        self._frames: asyncio.Queue[Frame] = asyncio.Queue()

    async def put(self, frame: Frame) -> None:
        """Queue a frame for the socket."""
        await self._frames.put(frame)

    async def write(self) -> None:
        """Write queued frames until the socket closes."""
        while True:
            await self._websocket.send_json(await self._frames.get())


async def receive_text(websocket: WebSocket) -> str | None:
    """The next text frame; None for a binary one. Raises WebSocketDisconnect at the end."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        raise WebSocketDisconnect(message.get("code", 1000))
    text = message.get("text")
    return text if isinstance(text, str) else None


async def first_frame(websocket: WebSocket, seconds: float = 10.0) -> Frame | None:
    """The client's first frame, or None when it sends no valid one in time."""
    try:
        return parse(await asyncio.wait_for(receive_text(websocket), seconds))
    except (TimeoutError, WebSocketDisconnect, RuntimeError):
        return None
    except BadFrame as error:
        await websocket.send_json(error_frame(error))
        return None


async def run(
    websocket: WebSocket,
    outbox: Outbox,
    events: AsyncIterable[Frame],
    handle: Handler,
    welcome: Callable[[], Awaitable[Frame]],
    accept_event: Callable[[Frame], bool] = lambda _event: True,
) -> None:
    """Send the welcome, then forward hub events and handle client frames until the
    client goes away. After live events may have been missed (the hub's RESYNC), the
    welcome is sent again: the client shows the state it carries."""

    async def forward() -> None:
        async for event in events:
            if event.get("type") == RESYNC:
                await outbox.put(await welcome())
            elif accept_event(event):
                await outbox.put(event)

    await outbox.put(await welcome())

    tasks = [asyncio.create_task(outbox.write()), asyncio.create_task(forward())]
    try:
        await _receive(websocket, outbox, handle, tasks)
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


async def _receive(
    websocket: WebSocket, outbox: Outbox, handle: Handler, tasks: list[asyncio.Task[None]]
) -> None:
    """Read frames while earlier ones are handled, in order, by a task of their own.

    uvicorn stops reading a socket after each frame until the app reads again, and a
    socket it does not read cannot answer the server's keepalive pings: it was closed
    (1011) when a turn took longer than the ping timeout. What arrived before the
    client went away is still handled: nothing a user sent is lost."""
    # Each item is a frame's text in a tuple (None for a binary frame); None ends.
    frames: asyncio.Queue[tuple[str | None] | None] = asyncio.Queue(QUEUED_FRAMES)
    handling = asyncio.create_task(_handle_in_order(frames, outbox, handle))
    try:
        while not any(task.done() for task in (*tasks, handling)):
            try:
                raw = await receive_text(websocket)
            except (WebSocketDisconnect, RuntimeError):
                return
            await frames.put((raw,))
    finally:
        # Even when the socket's handler is cancelled (the server stopping).
        with anyio.CancelScope(shield=True):
            await frames.put(None)
            await handling


async def _handle_in_order(
    frames: asyncio.Queue[tuple[str | None] | None], outbox: Outbox, handle: Handler
) -> None:
    while (item := await frames.get()) is not None:
        (raw,) = item
        frame: Frame = {}
        try:
            frame = parse(raw)
            await handle(frame)
        except ClientError as error:
            await outbox.put(error_frame(error))
        except Exception as exc:  # one bad turn must not end the conversation
            await outbox.put(_failed(frame, exc))


def _failed(frame: Frame, exc: Exception) -> Frame:
    """The error frame for a frame that failed. A locked or unreachable database stored
    nothing: the client is told when to send the same message again (as after the rate
    limit), so nothing the user sent is lost."""
    if isinstance(exc, OperationalError) and is_transient(exc):
        log.warning("database_unavailable", error=str(exc)[:300])
        refused = ClientError("database_unavailable", "系统繁忙，消息暂未保存，稍后将自动重发。")
        return {
            **error_frame(refused),
            "client_id": frame.get("client_id"),
            "retry_after": DATABASE_RETRY_SECONDS,
        }
    log.exception("socket_frame_failed", error=repr(exc))
    return error_frame(ClientError("internal_error", "服务器处理消息时出错，请稍后再试。"))
