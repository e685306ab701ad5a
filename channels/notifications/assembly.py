"""Builds the notification parts from settings (called by the lifespan)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import Engine, select

from channels.live.hub import Hub, notifications_topic
from channels.notifications.aliyun_sms import AliyunSms
from channels.notifications.outbox import Clock, Notification, Outbox, utc_now
from channels.notifications.preferences import PreferenceStore
from channels.notifications.sender import RetryPolicy, Sender
from channels.notifications.watcher import EventSource, Watcher, answered_tickets
from channels.notifications.ways import (
    Contacts,
    Email,
    InApp,
    Sms,
    SmsProvider,
    SmtpSettings,
    Way,
    WeChat,
)
from channels.settings import AppSettings
from channels.wechat.channel import WeChatChannels
from channels.wechat.tables import wechat_users


@dataclass(frozen=True)
class NotificationServices:
    preferences: PreferenceStore
    outbox: Outbox
    sender: Sender
    watcher: Watcher


def build_notifications(
    settings: AppSettings,
    engine: Engine,
    http: httpx.AsyncClient,
    hub: Hub | None,
    wechat_channels: WeChatChannels,
    contacts: Contacts,
    core_sources: Sequence[EventSource],
    clock: Clock = utc_now,
) -> NotificationServices:
    preferences = PreferenceStore(engine)
    outbox = Outbox(engine, preferences, clock)
    ways: dict[str, Way] = {
        "app": InApp(_announce(hub) if hub else None),
        "email": Email(_smtp(settings), contacts),
        "sms": Sms(_sms_provider(settings, http), contacts),
        "wechat": _wechat(engine, wechat_channels),
    }
    policy = RetryPolicy(
        settings.notify_attempts, timedelta(seconds=settings.notify_backoff_seconds)
    )
    sender = Sender(outbox, ways, policy)
    watcher = Watcher(outbox, [*core_sources, answered_tickets(engine)])
    return NotificationServices(preferences, outbox, sender, watcher)


def _announce(hub: Hub):  # type: ignore[no-untyped-def]
    async def announce(notification: Notification) -> None:
        event = {
            "type": "notification",
            "id": notification.id,
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "urgent": notification.urgent,
        }
        await hub.publish(notifications_topic(notification.username), event)

    return announce


def _smtp(settings: AppSettings) -> SmtpSettings:
    return SmtpSettings(
        settings.notify_smtp_host,
        settings.notify_smtp_port,
        settings.notify_smtp_security,
        settings.notify_smtp_user,
        settings.notify_smtp_password,
        settings.notify_from,
    )


def _sms_provider(settings: AppSettings, http: httpx.AsyncClient) -> SmsProvider | None:
    if settings.sms_provider != "aliyun":
        return None
    return AliyunSms(
        http,
        access_key_id=settings.sms_access_key_id,
        access_key_secret=settings.sms_access_key_secret,
        sign_name=settings.sms_sign_name,
        template_code=settings.sms_template_code,
        api_base=settings.sms_api_base,
    )


def _wechat(engine: Engine, channels: WeChatChannels) -> WeChat:
    """The official account's customer-service text to the user's bound openid."""
    channel = channels.get("wechat")

    def openid_of(username: str) -> str | None:
        with engine.connect() as connection:
            return connection.execute(
                select(wechat_users.c.openid)
                .where((wechat_users.c.account == "wechat") & (wechat_users.c.username == username))
                .limit(1)
            ).scalar_one_or_none()

    if channel is None:
        return WeChat(openid_of, None)
    messages = channel.timer.messages

    async def send_text(openid: str, text: str) -> tuple[bool, str]:
        (outcome,) = await messages.send_texts(openid, None, [text])
        return outcome.status == "sent", outcome.reason or outcome.status

    return WeChat(openid_of, send_text)
