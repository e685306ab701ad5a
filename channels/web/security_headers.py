"""Security headers on every HTTP answer: what a browser may load, frame and refer.

The pages (web_widget/) load scripts, styles and everything else from this origin
only, with nothing inline, and no page may be framed: the widget is embedded with a
script tag in the customer's own page, never in a frame. The API docs are FastAPI's
Swagger UI and ReDoc pages, which load from their CDN and start with an inline script
(their content is the app's own OpenAPI, never what a user wrote), so they get a
policy of their own.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# In both policies: no plug-ins, no <base>, forms post here only, no page in a frame.
_LOCKED = "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
POLICY = f"default-src 'self'; {_LOCKED}"
DOCS_POLICY = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
    f"worker-src 'self' blob:; {_LOCKED}"
)
_ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
]


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, docs_paths: Collection[str] = ()) -> None:
        self._app = app
        self._docs_paths = frozenset(docs_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in self._docs_paths else POLICY
        added = [(b"content-security-policy", policy.encode()), *_ALWAYS]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *added]
            await send(message)

        await self._app(scope, receive, send_with_headers)
