"""The app's state: its parts, built once per worker in the lifespan, handed to routes
and sockets as dependencies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import httpx
from fastapi import Depends
from starlette.requests import HTTPConnection

from channels.chat.service import ChatService
from channels.conversations.store import ConversationStore
from channels.handoff.assembly import LiveServices
from channels.im_bots.assembly import ImChannels
from channels.live.delivery import Deliveries
from channels.notices.board import NoticeBoard
from channels.settings import AppSettings
from channels.web.rate_limit import Limits
from channels.wechat.binding import Binding
from channels.wechat.channel import WeChatChannels


@dataclass(frozen=True)
class Services:
    """Everything a request or a socket may need, shared by all of one worker.

    The one object on `app.state` (as `services`); the composition root builds it
    with the knowledge base's parts added (channels/app.py, AppServices).
    """

    settings: AppSettings
    http: httpx.AsyncClient
    store: ConversationStore
    chat: ChatService
    # How each channel reaches its users outside their own request.
    deliveries: Deliveries
    # The hub, the handoff and the agent desk of the sockets and the agent API.
    live: LiveServices
    # The rate limits the middleware counts (the widget's socket counts its own).
    limits: Limits
    wechat_binding: Binding
    # The configured WeChat and WeCom accounts; none when nothing is set.
    wechat_channels: WeChatChannels
    # The DingTalk and Feishu channels; each None when its settings are empty.
    im_channels: ImChannels
    # The largest batch file the core accepts (MAX_UPLOAD_BYTES).
    max_upload_bytes: int
    # System notices and the messages kept during maintenance windows.
    notices: NoticeBoard


def services_of(connection: HTTPConnection) -> Services:
    """The worker's services, as built by the lifespan (for a request or a socket)."""
    built: Services = connection.app.state.services
    return built


ServicesDep = Annotated[Services, Depends(services_of)]


def caller() -> str | None:
    """The logged-in caller's user name; the composition root plugs in authentication."""
    return None


Caller = Annotated[str | None, Depends(caller)]
