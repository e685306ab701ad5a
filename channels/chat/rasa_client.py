"""Client of the app's channel into Rasa (bot/service_auth.py); Rasa is an external service."""

from __future__ import annotations

from typing import Any

import httpx

from channels.conversations.model import Reply


class RasaUnavailable(Exception):
    """Rasa, or the action server behind it, did not answer the user's message."""


class RasaClient:
    """Sends user messages to Rasa and turns its answers into replies."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        base_url: str,
        timeout: float,
        action_server_url: str = "",
        probe_timeout: float = 2.0,
        token: str = "",
    ) -> None:
        self._http = http
        self._base_url = base_url
        self._headers = {"Authorization": f"Bearer {token}"}
        self._timeout = timeout
        self._action_server_url = action_server_url
        self._probe_timeout = probe_timeout

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[Reply]:
        """Send one user message and return the bot's replies to it."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            response = await self._http.post(
                f"{self._base_url}/webhooks/app/webhook",
                json=body,
                headers=self._headers,
                timeout=self._timeout,
            )
            response.raise_for_status()
            answers = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        if not isinstance(answers, list):
            raise RasaUnavailable(f"unexpected answer: {answers!r:.200}")
        replies = [_reply(answer) for answer in answers if isinstance(answer, dict)]
        # Rasa logs a custom action it could not reach and answers nothing: to the user
        # that is silence, so it counts as the bot being down.
        if not replies and not await self._action_server_answers():
            raise RasaUnavailable("no reply, and the action server does not answer")
        return replies

    async def _action_server_answers(self) -> bool:
        if not self._action_server_url:
            return True
        try:
            response = await self._http.get(
                f"{self._action_server_url}/health", timeout=self._probe_timeout
            )
        except httpx.HTTPError:
            return False
        return response.status_code == 200


# A button that offers a human marks a reply the bot was not sure of: the knowledge
# action's "您是想问……吗？" suggestions and its "没有找到可靠的答案" both carry one.
HANDOFF_PAYLOAD = "/human_handoff"


def _reply(answer: dict[str, Any]) -> Reply:
    # The REST channel sends {"text", "buttons"} for text and
    # {"custom": {...}} for a json_message; cards travel as custom.card.
    # The app reads two more keys of a custom payload (README, "Handoff"):
    # "handoff": {"reason", "last_message"} asks for a human now, and
    # "unanswered": true marks a turn without a confident answer.
    custom = answer.get("custom")
    if not isinstance(custom, dict):
        custom = {}
    buttons = [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in answer.get("buttons") or []
        if isinstance(button, dict)
    ]
    handoff = custom.get("handoff")
    return Reply(
        text=str(answer.get("text") or custom.get("text") or ""),
        buttons=buttons,
        card=custom.get("card") if isinstance(custom.get("card"), dict) else None,
        handoff=handoff if isinstance(handoff, dict) else None,
        unanswered=custom.get("unanswered") is True
        or any(button["payload"].startswith(HANDOFF_PAYLOAD) for button in buttons),
    )
