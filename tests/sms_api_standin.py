"""A stand-in for Alibaba Cloud SMS (dysmsapi): records each SendSms query and answers
with the scripted Code ("OK" unless told otherwise)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request

from tests.serving import serving


@dataclass
class SmsApiStandIn:
    url: str = ""
    # Each request's query, as (name, value) pairs in the order sent, and the raw query.
    received: list[tuple[list[tuple[str, str]], str]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def answer_next(self, *codes: str) -> None:
        with self._lock:
            self.script.extend(codes)


def build_app(state: SmsApiStandIn) -> FastAPI:
    app = FastAPI()

    @app.get("/")
    async def send_sms(request: Request) -> dict[str, str]:
        with state._lock:
            state.received.append((list(request.query_params.multi_items()), request.url.query))
            code = state.script.pop(0) if state.script else "OK"
        return {"Code": code, "Message": "OK" if code == "OK" else "failed", "RequestId": "r1"}

    return app


@contextmanager
def running_standin() -> Iterator[SmsApiStandIn]:
    state = SmsApiStandIn()
    with serving(build_app(state)) as url:
        state.url = url
        yield state
