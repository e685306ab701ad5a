"""A stand-in for Feishu's API servers, on 127.0.0.1, started by the tests.

It hands out tenant_access_tokens (POST /open-apis/auth/v3/tenant_access_token/internal)
and records the messages sent (POST /open-apis/im/v1/messages); a revoked token is
answered with Feishu's 99991663, a busy server with 502.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.dingtalk_api_standin import ApiStandIn
from tests.serving import serving


def build_app(state: ApiStandIn) -> FastAPI:
    """Feishu's token and message routes."""
    app = FastAPI()

    @app.post("/open-apis/auth/v3/tenant_access_token/internal")
    async def token(request: Request) -> JSONResponse:
        body = await request.json()
        if not body.get("app_id") or not body.get("app_secret"):
            return JSONResponse({"code": 10003, "msg": "invalid param"})
        return JSONResponse({"code": 0, "tenant_access_token": state.new_token(), "expire": 7200})

    @app.post("/open-apis/im/v1/messages")
    async def send(request: Request) -> JSONResponse:
        answer = state.next_answer()
        token = request.headers.get("authorization", "").removeprefix("Bearer ")
        if answer == "http500":
            return JSONResponse({"code": 1, "msg": "busy"}, status_code=502)
        if answer == "revoked" or token != state.valid_token:
            return JSONResponse({"code": 99991663, "msg": "token invalid"}, status_code=400)
        state.record(request, token, await request.json())
        return JSONResponse({"code": 0, "msg": "success", "data": {"message_id": "om_1"}})

    return app


@contextmanager
def running_standin() -> Iterator[ApiStandIn]:
    """A fresh Feishu stand-in for the duration."""
    state = ApiStandIn()
    with serving(build_app(state)) as url:
        state.url = url
        yield state
