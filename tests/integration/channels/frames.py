"""Reading frames from a test websocket until the one wanted arrives."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Frame = dict[str, Any]


class JsonSocket(Protocol):
    """A websocket that sends and receives JSON: Starlette's test session, or a real one."""

    def send_json(self, data: Any) -> None: ...

    def receive_json(self) -> Any: ...


def until(ws: JsonSocket, wanted: Callable[[Frame], bool], limit: int = 40) -> Frame:
    """The first frame that `wanted` accepts, reading at most `limit` frames."""
    seen = []
    for _ in range(limit):
        frame: Frame = ws.receive_json()
        if wanted(frame):
            return frame
        seen.append(frame)
    raise AssertionError(f"no such frame among {seen}")


def message_with(text: str) -> Callable[[Frame], bool]:
    """A message frame whose text contains `text`."""
    return lambda f: f["type"] == "message" and text in f["message"]["text"]


def of_type(kind: str) -> Callable[[Frame], bool]:
    """A frame of this type."""
    return lambda f: f["type"] == kind


def hello(ws: JsonSocket, **fields: Any) -> Frame:
    """Open the conversation and return the welcome frame."""
    ws.send_json({"type": "hello", **fields})
    return until(ws, of_type("welcome"))


def say(ws: JsonSocket, text: str, client_id: str) -> None:
    """Send a user message."""
    ws.send_json({"type": "message", "text": text, "client_id": client_id})
