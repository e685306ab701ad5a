"""The app's parts, built once in the lifespan, handed to routes as dependencies."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated

import httpx
from fastapi import Depends, Request

from channels.chat_service import ChatService
from channels.conversation_store import ConversationStore
from channels.delivery import Deliveries
from channels.settings import AppSettings


@dataclass(frozen=True)
class Services:
    """Everything a request may need, shared by all requests of one process."""

    settings: AppSettings
    http: httpx.AsyncClient
    store: ConversationStore
    chat: ChatService
    # How each channel reaches its users outside their own request.
    deliveries: Deliveries = field(default_factory=Deliveries)


def services(request: Request) -> Services:
    """The process's services, as built by the lifespan."""
    built: Services = request.app.state.services
    return built


ServicesDep = Annotated[Services, Depends(services)]


def caller() -> str | None:
    """The logged-in caller's user name; the composition root plugs in authentication."""
    return None


Caller = Annotated[str | None, Depends(caller)]
