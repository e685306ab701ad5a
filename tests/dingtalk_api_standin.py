"""A stand-in for DingTalk's API servers, on 127.0.0.1, started by the tests.

It hands out access tokens (POST /v1.0/oauth2/accessToken), records what the robot
sends (POST /v1.0/robot/oToMessages/batchSend) and what goes to a session webhook
(POST /robot/sendBySession), and answers what a test scripts: a revoked token (401)
or a busy server (502). It runs under `tests/serving.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.serving import serving


@dataclass
class Sent:
    """One request the app sent: its path, its token (none for webhooks) and JSON body."""

    path: str
    token: str
    body: dict[str, Any]
    query: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiStandIn:
    """What a platform's stand-in has seen and will answer next."""

    url: str = ""
    sent: list[Sent] = field(default_factory=list)
    token_fetches: int = 0
    valid_token: str = ""
    # Scripted answers to the next sends: "revoked" or "http500".
    script: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(self, *answers: str) -> None:
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

    def new_token(self) -> str:
        """Issue a token (the previous one stops working)."""
        with self._lock:
            self.token_fetches += 1
            self.valid_token = f"token-{self.token_fetches}"
            return self.valid_token

    def next_answer(self) -> str:
        """The scripted answer to this send, or "ok"."""
        with self._lock:
            return self.script.pop(0) if self.script else "ok"

    def record(self, request: Request, token: str, body: dict[str, Any]) -> None:
        """Keep a send."""
        with self._lock:
            self.sent.append(Sent(request.url.path, token, body, dict(request.query_params)))


def build_app(state: ApiStandIn) -> FastAPI:
    """DingTalk's token, robot send and session webhook routes."""
    app = FastAPI()

    @app.post("/v1.0/oauth2/accessToken")
    async def token(request: Request) -> JSONResponse:
        body = await request.json()
        if not body.get("appKey") or not body.get("appSecret"):
            return JSONResponse({"code": "invalidClientId", "message": "无效"}, status_code=400)
        return JSONResponse({"accessToken": state.new_token(), "expireIn": 7200})

    @app.post("/v1.0/robot/oToMessages/batchSend")
    async def batch_send(request: Request) -> JSONResponse:
        answer = state.next_answer()
        token = request.headers.get("x-acs-dingtalk-access-token", "")
        if answer == "http500":
            return JSONResponse({"code": "ServiceUnavailable"}, status_code=502)
        if answer == "revoked" or token != state.valid_token:
            return JSONResponse({"code": "InvalidAuthentication"}, status_code=401)
        state.record(request, token, await request.json())
        return JSONResponse({"processQueryKey": "q", "invalidStaffIdList": []})

    @app.post("/robot/sendBySession")
    async def session(request: Request) -> JSONResponse:
        state.record(request, "", await request.json())
        return JSONResponse({"errcode": 0, "errmsg": "ok"})

    return app


@contextmanager
def running_standin() -> Iterator[ApiStandIn]:
    """A fresh DingTalk stand-in for the duration."""
    state = ApiStandIn()
    with serving(build_app(state)) as url:
        state.url = url
        yield state
