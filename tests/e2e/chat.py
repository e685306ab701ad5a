"""Talking to the running stack's bot over POST /api/v1/chat, for end-to-end tests."""

from __future__ import annotations

from typing import Any

import httpx

from bench.full_stack import FullStack


class Chat:
    """One conversation over POST /api/v1/chat."""

    def __init__(self, stack: FullStack, token: str | None) -> None:
        self.url = f"{stack.app_url}/api/v1/chat"
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.conversation_id: str | None = None
        self.state = "bot"

    def say(self, text: str) -> list[dict[str, Any]]:
        """Send one message; the bot's replies to it."""
        body: dict[str, Any] = {"message": text}
        if self.conversation_id:
            body["conversation_id"] = self.conversation_id
        response = httpx.post(self.url, json=body, headers=self.headers, timeout=60)
        assert response.status_code == 200, response.text
        answer = response.json()
        self.conversation_id, self.state = answer["conversation_id"], answer["state"]
        return list(answer["messages"])


def cards(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    """The cards of one type among the replies."""
    return [m["card"] for m in messages if m.get("card") and m["card"].get("type") == kind]


def text_of(messages: list[dict[str, Any]]) -> str:
    """All reply texts, one a line."""
    return "\n".join(m["text"] for m in messages)
