"""One customer mail read into what the channel needs, and the reply composed in its thread.

Pure functions over the standard library's `email` package: which mails are not
answered (auto-replies, bounces, lists), the text the bot sees (HTML-only mails read
as text, quoted history cut off), the attachments, and the reply (plain text and a
simple HTML part, UTF-8, In-Reply-To and References set, "Re: …").
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid, parseaddr

from channels.wechat.inbound import MAX_TEXT

DISPLAY_NAME = "开票助手"
# Where the quoted history of a reply starts: "在 2026年12月7日 …写道：" or "On … wrote:".
QUOTE_START = re.compile(
    r"^\s*(在.{0,200}写道[:：]|On .{0,300}wrote:"
    r"|-{2,}\s*(原始邮件|Original Message)\s*-{2,}|发件人[:：])",
    re.IGNORECASE,
)
BULK = frozenset({"bulk", "junk", "list"})
# Message-IDs longer than the inbound log's key are kept by their hash.
MAX_KEY = 190


@dataclass(frozen=True)
class Attachment:
    """One attached file, as sent."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    """A customer's mail: who, which thread, what it says and carries."""

    sender: str
    message_id: str
    references: list[str]
    subject: str
    text: str
    automatic: bool
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def thread(self) -> str:
        """The thread's first Message-ID (kept first in References by every reply)."""
        return self.references[0] if self.references else self.message_id

    @property
    def key(self) -> str:
        """The inbound log's key of this mail."""
        if len(self.message_id) <= MAX_KEY:
            return f"mid:{self.message_id}"
        return f"mid-sha256:{hashlib.sha256(self.message_id.encode()).hexdigest()}"

    @property
    def thread_user(self) -> str:
        """The channel's user id: one per sender and thread, so each thread is a conversation."""
        digest = hashlib.sha256(self.thread.encode()).hexdigest()[:16]
        return f"{digest}:{self.sender[:100]}"


def sender_key(thread_user: str) -> str:
    """The id wrong binding codes are counted under: the sender's address, whatever the
    thread (a new thread is one mail away, an address is not)."""
    return "sender:" + thread_user.partition(":")[2]


def parse(raw: bytes) -> Mail:
    """Read a mail as the IMAP server stored it."""
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = parseaddr(str(message.get("From", "")))[1].strip().lower()
    message_id = str(message.get("Message-ID", "")).strip()
    in_reply_to = _ids(str(message.get("In-Reply-To", "")))
    references = _ids(str(message.get("References", ""))) or in_reply_to
    if in_reply_to and in_reply_to[-1] not in references:
        references.append(in_reply_to[-1])
    if not message_id:  # rare; the content then names the mail
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()}@missing>"
    return Mail(
        sender=sender,
        message_id=message_id,
        references=references,
        subject=str(message.get("Subject", "")).strip(),
        text=without_quotes(_body_text(message))[:MAX_TEXT],
        automatic=is_automatic(message, sender),
        attachments=_attachments(message),
    )


def is_automatic(message: EmailMessage, sender: str) -> bool:
    """An auto-reply, a bounce or a list mail: never answered (mail loops)."""
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        auto != "no"
        or precedence in BULK
        or message.get("X-Autoreply") is not None
        or message.get("X-Autorespond") is not None
        or str(message.get("Return-Path", "")).strip() == "<>"
        or sender.split("@")[0] in ("mailer-daemon", "postmaster")
        or not sender
    )


def without_quotes(text: str) -> str:
    """The new text of a reply: quoted lines and the quoted history cut off."""
    kept: list[str] = []
    for line in text.splitlines():
        if QUOTE_START.match(line):
            break
        if not line.lstrip().startswith(">"):
            kept.append(line)
    return "\n".join(kept).strip()


def reply(to: Mail, sender: str, text: str, domain: str) -> EmailMessage:
    """The answer to the thread: plain text and a simple HTML part, in the thread."""
    message = EmailMessage()
    message["From"] = Address(DISPLAY_NAME, addr_spec=sender)
    message["To"] = to.sender
    subject = to.subject or "您的咨询"
    message["Subject"] = (
        subject if re.match(r"^(re|回复|答复)\s*[:：]", subject, re.I) else (f"Re: {subject}")
    )
    message["Message-ID"] = make_msgid(domain=domain)
    message["In-Reply-To"] = to.message_id
    chain = [*to.references, to.message_id]
    message["References"] = " ".join(chain[:1] + chain[1:][-19:])  # the thread's first kept
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(text, charset="utf-8")
    paragraphs = "".join(
        f"<p>{html.escape(part).replace(chr(10), '<br>')}</p>" for part in text.split("\n\n")
    )
    message.add_alternative(f"<html><body>{paragraphs}</body></html>", subtype="html")
    return message


def _ids(value: str) -> list[str]:
    return re.findall(r"<[^<>\s]+>", value)


def _body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    content = str(part.get_content())
    if part.get_content_subtype() == "html":
        content = re.sub(r"(?is)<(script|style|blockquote).*?</\1>", "", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>", "\n", content)
        content = html.unescape(re.sub(r"<[^>]+>", "", content))
    return content


def _attachments(message: EmailMessage) -> list[Attachment]:
    found = []
    for part in message.iter_attachments():
        data = part.get_payload(decode=True)
        if isinstance(data, bytes):
            name = part.get_filename() or "附件"
            found.append(Attachment(name[:100], part.get_content_type(), data))
    return found
