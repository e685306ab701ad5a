"""Request body limits at the app's edge: 413 in Chinese before a body is read whole.

A Content-Length past the limit is refused unread; a body without one (chunked) is
counted as it arrives and refused once it passes the limit. A multipart form carries
an uploaded file and has its own, larger limit, MAX_UPLOAD_BYTES for the file plus room
for the form around it; the routes that take a file hold the file itself to the same
setting, with their own words. WebSocket traffic passes untouched.
"""

from __future__ import annotations

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from channels.web.errors import PayloadTooLarge

# An upload's other form fields and the multipart framing around its file.
FORM_ALLOWANCE = 64 * 1024


class BodyLimit:
    """ASGI middleware refusing a request body past its limit with 413."""

    def __init__(self, app: ASGIApp, max_body_bytes: int, max_upload_bytes: int) -> None:
        self._app = app
        self._max_body = max_body_bytes
        self._max_upload = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit, refusal = self._limit(headers.get(b"content-type", b""))
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _refuse(refusal, scope, receive, send)
            return
        taken = 0
        cut_off = answered = False

        async def counted() -> Message:
            nonlocal taken, cut_off
            if not cut_off:
                message = await receive()
                taken += len(message.get("body", b""))
                cut_off = taken > limit
            if cut_off:
                raise refusal
            return message

        async def unless_cut_off(message: Message) -> None:
            nonlocal answered
            if cut_off and not answered:  # the app's answer to a body it did not get whole
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self._app(scope, counted, unless_cut_off)
        except Exception:
            if not cut_off or answered:
                raise
        if cut_off and not answered:
            await _refuse(refusal, scope, receive, send)

    def _limit(self, content_type: bytes) -> tuple[int, PayloadTooLarge]:
        if content_type.lower().startswith(b"multipart/"):
            message = f"上传的文件过大，不能超过{_size(self._max_upload)}。"
            return self._max_upload + FORM_ALLOWANCE, PayloadTooLarge("payload_too_large", message)
        message = f"请求内容过大，不能超过{_size(self._max_body)}。"
        return self._max_body, PayloadTooLarge("payload_too_large", message)


def _size(limit: int) -> str:
    return f"{limit / 2**20:g}MB" if limit >= 2**20 else f"{limit / 1024:g}KB"


async def _refuse(refusal: PayloadTooLarge, scope: Scope, receive: Receive, send: Send) -> None:
    # The rest of the body is never read, so the connection cannot carry another request.
    response = JSONResponse(refusal.body(), refusal.status, headers={"connection": "close"})
    await response(scope, receive, send)
