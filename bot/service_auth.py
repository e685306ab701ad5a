"""Only the app talks to Rasa, and only Rasa talks to the action server.

Each hop carries its own per-deployment secret as a bearer credential, written by
the set-up under VAR_DIR and exported by scripts/rasa-env.sh:

- app → Rasa: `RASA_TOKEN` (var/rasa-token), checked by `AppInput`, the app's input
  channel (credentials.yml). Rasa offers no other channel and runs without its HTTP API.
- Rasa → action server: `ACTION_SERVER_TOKEN` (var/action-server-token), sent by Rasa
  (endpoints.yml) and checked by the action server that `main` starts.
- action server → app: `ACTIONS_TOKEN` (var/actions-token), checked by the app.

A request without the right secret is refused with 401 before anything reads it;
an empty secret refuses everything. Health checks (`GET /health` of the action
server) stay open.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa_sdk import utils
from rasa_sdk.endpoint import create_app
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

OPEN_PATHS = frozenset({"/health"})
logger = logging.getLogger(__name__)
Middleware = Callable[[Request], Awaitable[HTTPResponse | None]]


def authentic(request: Request, secret: str) -> bool:
    """Whether the request carries `secret` as its bearer credential (never for an empty one)."""
    header = request.headers.get("Authorization", "")
    presented = header[len("Bearer ") :] if header.startswith("Bearer ") else ""
    return bool(secret) and hmac.compare_digest(presented.encode(), secret.encode())


def _refused() -> HTTPResponse:
    return response.json({"error": "unauthorized"}, status=401)


class AppInput(RestInput):
    """The REST channel at /webhooks/app/, for requests carrying the app's secret only."""

    def __init__(self, token: str) -> None:
        self._token = token

    @classmethod
    def name(cls) -> str:
        """The channel's name and URL prefix."""
        return "app"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> AppInput:
        """The channel with the token credentials.yml names (RASA_TOKEN)."""
        return cls(str((credentials or {}).get("token") or ""))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """POST /webhooks/app/webhook behind the token check: the bot's answers, or a 500
        when handling the message failed. (Rasa's REST channel logs the failure and
        answers with whatever was said before it, often nothing: the user met silence
        where the app would have said the bot is unavailable and kept the message.)"""
        blueprint = Blueprint("app_webhook", __name__)

        @on_request(blueprint)
        async def authenticate(request: Request) -> HTTPResponse | None:
            return None if authentic(request, self._token) else _refused()

        async def receive(request: Request) -> HTTPResponse:
            collector = CollectingOutputChannel()
            message = UserMessage(
                self._extract_message(request),
                collector,
                await self._extract_sender(request),
                input_channel=self._extract_input_channel(request),
                metadata=self.get_metadata(request),
            )
            try:
                await on_new_message(message)
            except Exception:
                logger.exception("app channel: the message could not be handled")
                return response.json({"error": "message_failed"}, status=500)
            return response.json(collector.messages)

        blueprint.add_route(receive, "/webhook", methods=["POST"])
        return blueprint


def action_server(token: str) -> Sanic:
    """rasa-sdk's action server for bot/actions, refusing calls without `token`."""
    # No CORS: browsers never call the action server.
    app = create_app("actions", cors_origins=None)

    @on_request(app)
    async def authenticate(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS or authentic(request, token):
            return None
        return _refused()

    return app


def on_request(owner: Sanic | Blueprint) -> Callable[[Middleware], Middleware]:
    """`owner.middleware("request")`, with the types sanic 21.12 leaves out."""
    register: Callable[[str], Callable[[Middleware], Middleware]] = owner.middleware
    return register("request")


def main() -> None:
    """Run the action server on SANIC_HOST:ACTION_PORT (scripts/action-server)."""
    # rasa-sdk leaves this one untyped.
    configure_logging: Callable[[int], None] = utils.configure_colored_logging
    configure_logging(logging.INFO)
    utils.update_sanic_log_level()
    app = action_server(os.environ.get("ACTION_SERVER_TOKEN", ""))
    app.run(os.environ.get("SANIC_HOST", "127.0.0.1"), int(os.environ["ACTION_PORT"]))


if __name__ == "__main__":
    main()
