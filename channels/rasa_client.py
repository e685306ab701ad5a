"""Client of the Rasa server's REST channel; Rasa is an external service to the app."""

from __future__ import annotations

from typing import Any

import httpx

from channels.conversation import Reply


class RasaUnavailable(Exception):
    """Rasa did not answer, or answered with something that is not a reply list."""


class RasaClient:
    """Sends user messages to Rasa and turns its answers into replies."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, timeout: float) -> None:
        self._http = http
        self._base_url = base_url
        self._timeout = timeout

    async def send(
        self, sender_id: str, text: str, metadata: dict[str, Any] | None = None
    ) -> list[Reply]:
        """Send one user message and return the bot's replies to it."""
        body = {"sender": sender_id, "message": text, "metadata": metadata or {}}
        try:
            response = await self._http.post(
                f"{self._base_url}/webhooks/rest/webhook", json=body, timeout=self._timeout
            )
            response.raise_for_status()
            answers = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise RasaUnavailable(str(exc) or type(exc).__name__) from exc
        if not isinstance(answers, list):
            raise RasaUnavailable(f"unexpected answer: {answers!r:.200}")
        return [_reply(answer) for answer in answers if isinstance(answer, dict)]


def _reply(answer: dict[str, Any]) -> Reply:
    # The REST channel sends {"text", "buttons"} for text and
    # {"custom": {...}} for a json_message; cards travel as custom.card.
    custom = answer.get("custom")
    if not isinstance(custom, dict):
        custom = {}
    buttons = [
        {"title": str(button.get("title", "")), "payload": str(button.get("payload", ""))}
        for button in answer.get("buttons") or []
        if isinstance(button, dict)
    ]
    return Reply(
        text=str(answer.get("text") or custom.get("text") or ""),
        buttons=buttons,
        card=custom.get("card"),
    )
