"""The ways a notification goes out; each `send` returns or raises `DeliveryFailed`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from anyio import to_thread

from channels.notifications.outbox import Notification


class DeliveryFailed(Exception):
    """This try did not deliver; `final` when trying again cannot help (no address)."""

    def __init__(self, reason: str, *, final: bool = False) -> None:
        super().__init__(reason)
        self.final = final


@dataclass(frozen=True)
class Contact:
    """Where a user can be reached outside the app (empty: not known)."""

    email: str = ""
    phone: str = ""


Contacts = Callable[[str], Contact]


class Way(Protocol):
    async def send(self, notification: Notification) -> None: ...


class InApp:
    """In the app the stored row is the notification; live subscribers hear of it."""

    def __init__(self, announce: Callable[[Notification], Awaitable[None]] | None = None) -> None:
        self._announce = announce

    async def send(self, notification: Notification) -> None:
        if self._announce is not None:
            await self._announce(notification)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str  # "ssl" | "starttls" | "none"
    user: str
    password: str
    sender: str
    timeout: float = 10.0


class Email:
    """To the account's email, through the NOTIFY_SMTP_* server."""

    def __init__(self, settings: SmtpSettings, contacts: Contacts) -> None:
        self._settings = settings
        self._contacts = contacts

    async def send(self, notification: Notification) -> None:
        if not self._settings.host:
            raise DeliveryFailed("未配置邮件服务器（NOTIFY_SMTP_HOST）。", final=True)
        address = (await to_thread.run_sync(self._contacts, notification.username)).email
        if not address:
            raise DeliveryFailed("账号没有邮箱。", final=True)
        message = EmailMessage()
        message["From"] = self._settings.sender
        message["To"] = address
        message["Subject"] = f"开票助手：{notification.title}"
        message.set_content(notification.body)
        try:
            await to_thread.run_sync(self._deliver, message)
        except Exception as failure:
            raise DeliveryFailed(f"邮件发送失败：{failure!r}") from failure

    def _deliver(self, message: EmailMessage) -> None:
        import smtplib

        s = self._settings
        smtp: smtplib.SMTP
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout)
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        with smtp:
            if s.security == "starttls":
                smtp.starttls()
            if s.user:
                smtp.login(s.user, s.password)
            smtp.send_message(message)


class Sms:
    """To the account's phone, through the configured provider."""

    def __init__(self, provider: SmsProvider | None, contacts: Contacts) -> None:
        self._provider = provider
        self._contacts = contacts

    async def send(self, notification: Notification) -> None:
        if self._provider is None:
            raise DeliveryFailed("未配置短信服务（SMS_PROVIDER）。", final=True)
        phone = (await to_thread.run_sync(self._contacts, notification.username)).phone
        if not phone:
            raise DeliveryFailed("账号没有手机号。", final=True)
        await self._provider.send(phone, notification)


class SmsProvider(Protocol):
    async def send(self, phone: str, notification: Notification) -> None: ...


class WeChat:
    """A customer-service text to the user's bound WeChat (see README: why not a template)."""

    def __init__(
        self,
        openid_of: Callable[[str], str | None],
        send_text: Callable[[str, str], Awaitable[tuple[bool, str]]] | None,
    ) -> None:
        self._openid_of = openid_of
        self._send_text = send_text

    async def send(self, notification: Notification) -> None:
        if self._send_text is None:
            raise DeliveryFailed("未配置微信公众号。", final=True)
        openid = await to_thread.run_sync(self._openid_of, notification.username)
        if openid is None:
            raise DeliveryFailed("账号没有绑定微信。", final=True)
        delivered, reason = await self._send_text(
            openid, f"【{notification.title}】\n{notification.body}"
        )
        if not delivered:
            raise DeliveryFailed(f"微信消息发送失败：{reason}")
