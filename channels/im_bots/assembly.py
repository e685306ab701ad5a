"""Builds the configured DingTalk and Feishu channels from settings (called by the lifespan).

Each reuses the WeChat channel's parts under its own account name: its users and
their bindings (wechat_users, wechat_binding_codes), the inbound log that drops
retries (wechat_inbound), the message router and the outbound record.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx
import structlog
from sqlalchemy import Engine

from channels.chat.service import ChatService
from channels.conversations.store import ConversationStore
from channels.im_bots import dingtalk, feishu
from channels.im_bots.api_client import ApiClient, Platform
from channels.im_bots.outbox import Outbox, Send
from channels.im_bots.turns import BotTurns
from channels.live.delivery import Deliveries
from channels.settings import AppSettings
from channels.wechat.binding import Binding
from channels.wechat.customer_service_api import RetryPolicy
from channels.wechat.inbound_log import InboundLog
from channels.wechat.message_router import MessageRouter
from channels.wechat.users import WeChatUsers

log = structlog.get_logger(__name__)
RECOVER_EVERY_SECONDS = 60.0


@dataclass(frozen=True)
class DingTalkChannel:
    """The robot's callback check and its turns."""

    envelope: dingtalk.DingTalkEnvelope
    turns: BotTurns


@dataclass(frozen=True)
class FeishuChannel:
    """The app's event check and its turns."""

    envelope: feishu.FeishuEnvelope
    turns: BotTurns


@dataclass(frozen=True)
class ImChannels:
    """The configured bots; None when a platform's settings are empty."""

    dingtalk: DingTalkChannel | None = None
    feishu: FeishuChannel | None = None

    def all_turns(self) -> list[BotTurns]:
        """The turns of every configured bot."""
        return [channel.turns for channel in (self.dingtalk, self.feishu) if channel]


@dataclass(frozen=True)
class _Parts:
    settings: AppSettings
    engine: Engine
    http: httpx.AsyncClient
    store: ConversationStore
    chat: ChatService
    binding: Binding
    deliveries: Deliveries


def build_im_channels(
    settings: AppSettings,
    engine: Engine,
    http: httpx.AsyncClient,
    store: ConversationStore,
    chat: ChatService,
    deliveries: Deliveries,
    binding: Binding,
) -> ImChannels:
    """The configured bots, each registered for delivery under its account name."""
    parts = _Parts(settings, engine, http, store, chat, binding, deliveries)
    found_dingtalk = found_feishu = None
    if settings.dingtalk_app_secret:
        base = settings.dingtalk_api_base
        client = _client(
            parts, dingtalk.platform(base, settings.dingtalk_app_key, settings.dingtalk_app_secret)
        )
        sender = dingtalk.DingTalkSender(client, base, settings.dingtalk_robot_code)
        found_dingtalk = DingTalkChannel(
            dingtalk.DingTalkEnvelope(settings.dingtalk_app_secret),
            _turns(parts, dingtalk.ACCOUNT, sender.send),
        )
    if settings.feishu_verification_token:
        base = settings.feishu_api_base
        client = _client(
            parts, feishu.platform(base, settings.feishu_app_id, settings.feishu_app_secret)
        )
        found_feishu = FeishuChannel(
            feishu.FeishuEnvelope(settings.feishu_verification_token, settings.feishu_encrypt_key),
            _turns(parts, feishu.ACCOUNT, feishu.FeishuSender(client, base).send),
        )
    return ImChannels(found_dingtalk, found_feishu)


def _client(parts: _Parts, platform: Platform) -> ApiClient:
    settings = parts.settings
    policy = RetryPolicy(
        settings.wechat_api_attempts,
        settings.wechat_api_backoff_seconds,
        settings.wechat_api_timeout_seconds,
    )
    return ApiClient(parts.http, platform, policy)


def _turns(parts: _Parts, account: str, send: Send) -> BotTurns:
    users = WeChatUsers(parts.engine)
    outbox = Outbox(account, send, users, parts.engine)
    parts.deliveries.register(account, outbox.deliver)
    router = MessageRouter(account, parts.store, parts.chat, users, parts.binding)
    return BotTurns(account, router, InboundLog(parts.engine), parts.store, outbox)


async def drain(channels: ImChannels) -> None:
    """Let the turns still running finish before shutdown."""
    for turns in channels.all_turns():
        await turns.drain()


async def recover_forever(channels: ImChannels) -> None:
    """Every minute, answer the turns of workers that died mid-turn (until cancelled)."""
    while True:
        await asyncio.sleep(RECOVER_EVERY_SECONDS)
        for turns in channels.all_turns():
            try:
                await turns.recover()
            except Exception as exc:  # the next round tries again
                log.warning("im_recovery_failed", error=repr(exc))
