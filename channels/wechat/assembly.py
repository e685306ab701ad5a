"""Builds the configured WeChat and WeCom channels from settings (called by the lifespan)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import structlog
from sqlalchemy import Engine

from channels.chat.service import ChatService
from channels.conversations.store import ConversationStore
from channels.live.delivery import Deliveries
from channels.notices.board import NoticeBoard
from channels.settings import AppSettings
from channels.web.core_call import CoreForConversation
from channels.wechat.access_tokens import AccessTokens, TokenSource
from channels.wechat.binding import Binding
from channels.wechat.channel import WeChatChannel, WeChatChannels
from channels.wechat.customer_messages import WECHAT_WINDOW, CustomerMessages
from channels.wechat.customer_service_api import CustomerServiceApi, RetryPolicy
from channels.wechat.envelope import Envelope, WeChatEnvelope, WeComEnvelope
from channels.wechat.inbound_log import InboundLog
from channels.wechat.media import MediaDownloads
from channels.wechat.message_router import MessageRouter
from channels.wechat.receipts import InvoiceReceipts
from channels.wechat.turn_timer import TurnTimer
from channels.wechat.users import WeChatUsers

log = structlog.get_logger(__name__)
RECOVER_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class Shared:
    """What every channel of the app shares."""

    settings: AppSettings
    engine: Engine
    http: httpx.AsyncClient
    store: ConversationStore
    chat: ChatService
    users: WeChatUsers
    inbound: InboundLog
    binding: Binding
    # The core's API as a conversation's user: recognising and recording invoices.
    core: CoreForConversation
    # The largest picture or file fetched from WeChat (the core's MAX_UPLOAD_BYTES).
    max_media_bytes: int
    # The notices, said once to each bound user before an answer.
    board: NoticeBoard | None = None


def build_binding(engine: Engine, user_exists: Callable[[str], bool]) -> Binding:
    """The binding service (also serves the web app's binding codes)."""
    return Binding(engine, WeChatUsers(engine), user_exists)


def build_wechat_channels(
    settings: AppSettings,
    engine: Engine,
    http: httpx.AsyncClient,
    store: ConversationStore,
    chat: ChatService,
    deliveries: Deliveries,
    binding: Binding,
    core: CoreForConversation,
    max_media_bytes: int,
    board: NoticeBoard | None = None,
) -> WeChatChannels:
    """The configured accounts, each registered for delivery; none when nothing is set."""
    users, inbound = WeChatUsers(engine), InboundLog(engine)
    shared = Shared(
        settings, engine, http, store, chat, users, inbound, binding, core, max_media_bytes, board
    )
    channels: WeChatChannels = {}
    if settings.wechat_token:
        channels["wechat"] = _channel(shared, "wechat", _wechat_envelope(settings), WECHAT_WINDOW)
    if settings.wecom_token and settings.wecom_aes_key and settings.wecom_corp_id:
        channels["wecom"] = _channel(shared, "wecom", _wecom_envelope(settings), None)
    for account, channel in channels.items():
        deliveries.register(account, channel.timer.messages.deliver)
    return channels


def _wechat_envelope(settings: AppSettings) -> WeChatEnvelope:
    return WeChatEnvelope(settings.wechat_token, settings.wechat_app_id, settings.wechat_aes_key)


def _wecom_envelope(settings: AppSettings) -> WeComEnvelope:
    return WeComEnvelope(
        settings.wecom_token,
        settings.wecom_corp_id,
        settings.wecom_aes_key,
        settings.wecom_agent_id,
    )


def _channel(shared: Shared, account: str, envelope: Envelope, window: Any) -> WeChatChannel:
    tokens, base = _tokens(shared, account)
    api = _api(shared, account, tokens, base)
    messages = CustomerMessages(account, api, shared.users, shared.engine, window)
    settings = shared.settings
    media = MediaDownloads(
        shared.http,
        tokens,
        f"{base}/cgi-bin/media/get",
        settings.wechat_api_timeout_seconds,
        shared.max_media_bytes,
    )
    receipts = InvoiceReceipts(shared.store, media, shared.core)
    router = MessageRouter(
        account, shared.store, shared.chat, shared.users, shared.binding, receipts, shared.board
    )
    budget = shared.settings.wechat_reply_budget_seconds
    return WeChatChannel(envelope, TurnTimer(account, router, shared.inbound, messages, budget))


def _tokens(shared: Shared, account: str) -> tuple[AccessTokens, str]:
    """The account's access tokens and its API's base URL."""
    settings = shared.settings
    if account == "wechat":
        base = settings.wechat_api_base.rstrip("/")
        source = TokenSource(
            account,
            f"{base}/cgi-bin/token",
            {
                "grant_type": "client_credential",
                "appid": settings.wechat_app_id,
                "secret": settings.wechat_app_secret,
            },
        )
    else:
        base = settings.wecom_api_base.rstrip("/")
        source = TokenSource(
            account,
            f"{base}/cgi-bin/gettoken",
            {"corpid": settings.wecom_corp_id, "corpsecret": settings.wecom_secret},
        )
    tokens = AccessTokens(shared.engine, shared.http, source, settings.wechat_api_timeout_seconds)
    return tokens, base


def _api(shared: Shared, account: str, tokens: AccessTokens, base: str) -> CustomerServiceApi:
    settings = shared.settings
    policy = RetryPolicy(
        settings.wechat_api_attempts,
        settings.wechat_api_backoff_seconds,
        settings.wechat_api_timeout_seconds,
    )
    if account == "wechat":
        send_url, payload = f"{base}/cgi-bin/message/custom/send", _wechat_text
    else:
        agent_id = settings.wecom_agent_id
        send_url = f"{base}/cgi-bin/message/send"

        def payload(touser: str, text: str) -> dict[str, Any]:
            return {
                "touser": touser,
                "msgtype": "text",
                "agentid": agent_id,
                "text": {"content": text},
            }

    return CustomerServiceApi(shared.http, tokens, send_url, payload, policy)


def _wechat_text(touser: str, text: str) -> dict[str, Any]:
    return {"touser": touser, "msgtype": "text", "text": {"content": text}}


async def drain(channels: WeChatChannels) -> None:
    """Let the turns still running finish (late answers still go out) before shutdown."""
    for channel in channels.values():
        await channel.timer.drain()


async def recover_forever(channels: WeChatChannels) -> None:
    """Every minute, answer the turns of workers that died mid-turn (until cancelled)."""
    while True:
        await asyncio.sleep(RECOVER_EVERY_SECONDS)
        for account, channel in channels.items():
            try:
                await channel.timer.recover()
            except Exception as exc:  # the next round tries again
                log.warning("wechat_recovery_failed", account=account, error=repr(exc))
