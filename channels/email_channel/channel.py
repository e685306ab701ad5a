"""The email channel: unseen mails stored first, then marked \\Seen, then answered in their thread.

It reuses the WeChat channel's parts under the account name "email": the inbound log
(wechat_inbound, keyed by Message-ID, so a mail fetched again or by another worker
is answered once; its content keeps the mail's headers and text as JSON), the users
and their bindings (one channel user per sender *and thread*, so each thread is one
conversation and a binding holds only in its thread: the From header alone never
logs anyone in; wrong binding codes count per sender address, across its threads),
the message router (bot, binding commands, invoice recognition),
and the DingTalk/Feishu outbox, which records every send and delivers agents'
replies. Answers go out over SMTP in the thread of the customer's latest mail.
"""

from __future__ import annotations

import asyncio
import json
import smtplib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

import structlog
from anyio import to_thread
from sqlalchemy import Engine, select

from channels.chat.service import ChatService
from channels.conversations.store import ConversationStore
from channels.email_channel import mail as mails
from channels.email_channel.mailbox import Mailbox
from channels.im_bots.outbox import Outbox
from channels.im_bots.rendering import Outgoing
from channels.im_bots.turns import RECOVER_WITHIN
from channels.live.delivery import Deliveries
from channels.settings import AppSettings
from channels.web.core_call import CoreForConversation
from channels.wechat.binding import Binding
from channels.wechat.customer_service_api import RetryPolicy, SendOutcome
from channels.wechat.inbound import Inbound
from channels.wechat.inbound_log import InboundLog
from channels.wechat.media import MediaDownloads
from channels.wechat.message_router import MessageRouter
from channels.wechat.receipts import INVOICE_FILE, InvoiceReceipts
from channels.wechat.tables import wechat_inbound
from channels.wechat.turn_timer import FAILED_REPLY
from channels.wechat.users import WeChatUsers

ACCOUNT = "email"
RECOVER_EVERY_SECONDS = 60.0
TOO_LARGE = "附件“{name}”超过 {mb} MB，未能处理。请压缩后重新发送，或在网页版开票助手中上传。"
log = structlog.get_logger(__name__)


class _Attachments:
    """The attachments of the mails being answered, as the receipts fetch WeChat's media."""

    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}

    async def download(self, media_id: str) -> bytes | None:
        return self.held.get(media_id)


@dataclass(frozen=True)
class ThreadSender:
    """Sends over SMTP in a channel user's thread (the Outbox's Send)."""

    settings: AppSettings
    mailbox: Mailbox
    engine: Engine
    policy: RetryPolicy = field(default_factory=RetryPolicy)

    async def send(self, user_id: str, message: Outgoing, reply_to: str = "") -> SendOutcome:
        """Send to the thread of `user_id` (the Outbox's Send), replying to its latest mail.

        A failed try (the server away, busy, a 4xx answer) is tried again after a wait
        that doubles, up to the policy's attempts, with the same Message-ID; what the
        server refuses for good (a 5xx answer) is not."""
        row = await to_thread.run_sync(self._latest, user_id)
        if row is None:
            return SendOutcome("undeliverable", "no_thread")
        latest = _stored(row)
        domain = self.settings.email_address.rpartition("@")[2] or "localhost"
        answer = mails.reply(latest, self.settings.email_address, message.text, domain)
        attempt, reason = 0, "not_tried"
        while attempt < self.policy.attempts:
            attempt += 1
            try:
                await to_thread.run_sync(self.mailbox.send, answer)
            except Exception as exc:  # recorded by the outbox; the message stays in the history
                reason = repr(exc)[:64]
                log.warning("email_send_failed", user_id=user_id, attempt=attempt, error=reason)
                if _refused_for_good(exc):
                    return SendOutcome("undeliverable", reason, None, attempt)
                if attempt < self.policy.attempts:
                    await asyncio.sleep(self.policy.backoff_seconds * 2 ** (attempt - 1))
            else:
                return SendOutcome("sent", attempts=attempt)
        return SendOutcome("failed", reason, None, attempt)

    def _latest(self, user_id: str) -> str | None:
        with self.engine.connect() as connection:
            content = connection.execute(
                select(wechat_inbound.c.content)
                .where(wechat_inbound.c.account == ACCOUNT)
                .where(wechat_inbound.c.openid == user_id)
                .order_by(wechat_inbound.c.id.desc())
                .limit(1)
            ).scalar_one_or_none()
        return None if content is None else str(content)


@dataclass(frozen=True)
class EmailChannel:
    """Polls the mailbox and answers its mails (one per app worker)."""

    settings: AppSettings
    mailbox: Mailbox
    engine: Engine
    router: MessageRouter
    outbox: Outbox
    attachments: _Attachments
    max_upload_bytes: int

    async def poll_once(self) -> int:
        """Store, mark \\Seen and answer the unseen mails; how many this worker answered."""
        fetched = await to_thread.run_sync(self.mailbox.unseen)
        mine: list[tuple[mails.Mail, int]] = []
        stored: list[str] = []
        for item in fetched:
            try:
                mail = mails.parse(item.raw)
            except Exception:  # left unseen, for a person to read
                log.exception("email_unreadable", uid=item.uid)
                continue
            row_id = await to_thread.run_sync(self._claim, mail)
            stored.append(item.uid)
            if row_id is not None:
                mine.append((mail, row_id))
        await to_thread.run_sync(self.mailbox.mark_seen, stored)
        for mail, row_id in mine:
            await self._turn(mail, row_id)
        return len(mine)

    async def recover(self) -> None:
        """Answer the mails stored by a worker that died before answering them (text only)."""
        since = datetime.now(UTC) - RECOVER_WITHIN
        inbound = InboundLog(self.engine)
        for turn in await to_thread.run_sync(inbound.taken_over, ACCOUNT, since):
            log.warning("email_turn_recovered", msg_key=turn.msg_key)
            await self._turn(_stored(turn.content), turn.row_id)

    def _claim(self, mail: mails.Mail) -> int | None:
        """Store the mail; its row when this worker saw it first and it is to be answered."""
        inbound = InboundLog(self.engine)
        kind = "file" if mail.attachments else "text"
        claim = inbound.claim(ACCOUNT, mail.key, mail.thread_user, kind, _stored_form(mail))
        if not claim.first:
            log.info("email_seen_before", msg_key=mail.key)
            return None
        if mail.automatic:
            log.info("email_automatic_not_answered", msg_key=mail.key, sender=mail.sender)
            inbound.answer(claim.row_id, "")
            return None
        inbound.declare_late(claim.row_id)
        return claim.row_id

    async def _turn(self, mail: mails.Mail, row_id: int) -> None:
        parts: list[str] = []
        conversation_id: str | None = None
        try:
            # The text first (it may bind the thread, or say what the files are), then
            # each attachment; a mail with neither is answered as an empty one.
            if mail.text or not mail.attachments:
                kind = "text" if mail.text else "other"
                message = self._inbound(mail, row_id, kind, mail.text)
                answer = await self.router.route(message, f"{ACCOUNT}-inbound-{row_id}")
                conversation_id, parts = answer.conversation_id, [answer.text]
            for index, attachment in enumerate(mail.attachments):
                name = attachment.name
                if len(attachment.data) > self.max_upload_bytes:
                    parts.append(TOO_LARGE.format(name=name, mb=self.max_upload_bytes >> 20))
                    continue
                media_id = f"email-{row_id}-{index}"
                invoice = bool(INVOICE_FILE.search(name))
                if invoice:
                    self.attachments.held[media_id] = attachment.data
                message = self._inbound(mail, row_id, "file", name, media_id if invoice else "")
                answer = await self.router.route(message, f"{ACCOUNT}-inbound-{row_id}-{index}")
                self.attachments.held.pop(media_id, None)
                conversation_id, parts = answer.conversation_id, [*parts, answer.text]
        except Exception:
            log.exception("email_turn_failed", msg_key=mail.key)
            parts = [FAILED_REPLY]
        text = "\n\n".join(part for part in parts if part)
        if text:
            await self.outbox.send(mail.thread_user, conversation_id, Outgoing(text))
        await to_thread.run_sync(InboundLog(self.engine).mark_delivered, row_id)

    def _inbound(
        self, mail: mails.Mail, row_id: int, kind: str, text: str, media_id: str = ""
    ) -> Inbound:
        summary = f"[附件] {text}" if kind == "file" else text
        return Inbound(
            ACCOUNT,
            mail.thread_user,
            self.settings.email_address,
            mail.key,
            kind,
            text if kind == "text" else "",
            summary=summary or "[空邮件]",
            media_id=media_id,
            file_name=text if kind == "file" else "",
        )


def _refused_for_good(exc: Exception) -> bool:
    """Whether the SMTP server refused the mail permanently (5xx): trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500


def _stored_form(mail: mails.Mail) -> str:
    names = [attachment.name for attachment in mail.attachments]
    fields: dict[str, Any] = {
        "sender": mail.sender,
        "message_id": mail.message_id,
        "references": mail.references,
        "subject": mail.subject,
        "text": mail.text,
        "attachments": names,
    }
    return json.dumps(fields, ensure_ascii=False)


def _stored(content: str) -> mails.Mail:
    """A stored mail again, without its attachments' bytes."""
    fields = json.loads(content)
    return mails.Mail(
        fields["sender"],
        fields["message_id"],
        list(fields["references"]),
        fields["subject"],
        fields["text"],
        automatic=False,
    )


def build_email_channel(
    settings: AppSettings,
    engine: Engine,
    store: ConversationStore,
    chat: ChatService,
    deliveries: Deliveries,
    binding: Binding,
    core: CoreForConversation,
    max_upload_bytes: int,
) -> EmailChannel | None:
    """The channel when EMAIL_IMAP_HOST is set, registered for delivery as "email"."""
    if not settings.email_imap_host:
        return None
    users = WeChatUsers(engine)
    attachments = _Attachments()
    receipts = InvoiceReceipts(store, cast(MediaDownloads, attachments), core)
    binding.count_tries_by(ACCOUNT, mails.sender_key)
    router = MessageRouter(ACCOUNT, store, chat, users, binding, receipts)
    mailbox = Mailbox(settings)
    # SMTP sends are retried as the other channels' API sends are (WECHAT_API_*).
    policy = RetryPolicy(
        settings.wechat_api_attempts,
        settings.wechat_api_backoff_seconds,
        settings.wechat_api_timeout_seconds,
    )
    sender = ThreadSender(settings, mailbox, engine, policy)
    outbox = Outbox(ACCOUNT, sender.send, users, engine)
    deliveries.register(ACCOUNT, outbox.deliver)
    return EmailChannel(settings, mailbox, engine, router, outbox, attachments, max_upload_bytes)


async def poll_forever(channel: EmailChannel | None) -> None:
    """Poll every EMAIL_POLL_SECONDS and recover every minute (until cancelled)."""
    if channel is None:
        return
    recovered_at = 0.0
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(channel.settings.email_poll_seconds)
        try:
            await channel.poll_once()
            if loop.time() - recovered_at >= RECOVER_EVERY_SECONDS:
                recovered_at = loop.time()
                await channel.recover()
        except Exception as exc:  # the next round tries again
            log.warning("email_poll_failed", error=repr(exc))
