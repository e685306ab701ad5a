"""A stand-in for WeChat's and WeCom's API servers, on 127.0.0.1, started by the tests.

It hands out access tokens, records every message sent to it, answers what a test
scripts: an error code (45015, 40001, …), a slow answer (a timeout) or a 5xx, and
serves the pictures and files a test put there as users' uploads (media/get).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response


@dataclass
class Sent:
    """One message the app sent: where, with which token, and the JSON body."""

    path: str
    token: str
    body: dict[str, Any]


@dataclass
class WeChatApiStandIn:
    """What the stand-in has seen and will answer next."""

    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    token_fetches: int = 0
    valid_token: str = ""
    # Scripted answers to the next sends: an errcode, "slow" or "http500".
    script: list[int | str] = field(default_factory=list)
    slow_seconds: float = 2.0
    # What users uploaded, by MediaId: (bytes, content type).
    media: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def expire_token(self) -> None:
        """Revoke the current token, as WeChat does when another fetch replaced it."""
        with self._lock:
            self.valid_token = "revoked"

    def answer_next(self, *answers: int | str) -> None:
        """Answer the next sends with these, in order."""
        with self._lock:
            self.script.extend(answers)

    def reset(self) -> None:
        """Forget what was sent and scripted (tokens stay)."""
        with self._lock:
            self.sent.clear()
            self.script.clear()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Sent]:
        """Wait until `count` messages arrived; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and len(self.sent) < count:
            time.sleep(0.05)
        return list(self.sent)

    def _new_token(self) -> dict[str, Any]:
        with self._lock:
            self.token_fetches += 1
            self.valid_token = f"token-{self.token_fetches}"
            return {"access_token": self.valid_token, "expires_in": 7200}

    def _next_answer(self) -> int | str:
        with self._lock:
            return self.script.pop(0) if self.script else 0


def build_app(state: WeChatApiStandIn) -> FastAPI:
    """The stand-in's routes: token, gettoken, custom send, WeCom app send."""
    app = FastAPI()

    @app.get("/cgi-bin/token")
    async def token(grant_type: str, appid: str, secret: str) -> dict[str, Any]:
        if grant_type != "client_credential" or not appid or not secret:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        return state._new_token()

    @app.get("/cgi-bin/gettoken")
    async def gettoken(corpid: str, corpsecret: str) -> dict[str, Any]:
        if not corpid or not corpsecret:
            return {"errcode": 40013, "errmsg": "invalid corpid"}
        return state._new_token()

    async def send(request: Request, access_token: str) -> JSONResponse:
        body = await request.json()
        answer = state._next_answer()
        if answer == "slow":
            await asyncio.sleep(state.slow_seconds)
            return JSONResponse({"errcode": 0, "errmsg": "ok (too late)"})
        if answer == "http500":
            return JSONResponse({"errmsg": "busy"}, status_code=502)
        if access_token != state.valid_token:
            answer = 40001
        if answer == 0:
            state.sent.append(Sent(request.url.path, access_token, body))
        return JSONResponse({"errcode": answer, "errmsg": "ok" if answer == 0 else "scripted"})

    @app.get("/cgi-bin/media/get")
    async def media(access_token: str, media_id: str) -> Response:
        if access_token != state.valid_token:
            return JSONResponse({"errcode": 40001, "errmsg": "invalid credential"})
        if media_id not in state.media:
            return JSONResponse({"errcode": 40007, "errmsg": "invalid media_id"})
        data, content_type = state.media[media_id]
        return Response(data, media_type=content_type)

    app.add_api_route("/cgi-bin/message/custom/send", send, methods=["POST"])
    app.add_api_route("/cgi-bin/message/send", send, methods=["POST"])
    return app


@contextmanager
def running_standin() -> Iterator[WeChatApiStandIn]:
    """Serve a fresh stand-in on a free port of 127.0.0.1 for the duration."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    state = WeChatApiStandIn(url=f"http://127.0.0.1:{port}")
    config = uvicorn.Config(build_app(state), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=5)
