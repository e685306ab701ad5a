"""The support mailbox over the standard library's imaplib and smtplib (blocking: call in a thread).

Unseen mails are fetched with BODY.PEEK[] so that reading does not mark them \\Seen;
the channel marks one \\Seen only after it is stored in the inbound log.
"""

from __future__ import annotations

import imaplib
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage

from channels.settings import AppSettings

TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class Fetched:
    """One unseen mail: its UID in the folder and its bytes."""

    uid: str
    raw: bytes


class Mailbox:
    """Reads the support folder and sends from the support address."""

    def __init__(self, settings: AppSettings) -> None:
        self._settings = settings

    def unseen(self, limit: int = 50) -> list[Fetched]:
        """The folder's unseen mails, oldest first (at most `limit` a round)."""
        with self._imap() as imap:
            found: list[Fetched] = []
            _, data = imap.uid("SEARCH", "UNSEEN")
            for uid in bytes(data[0] or b"").decode().split()[:limit]:
                _, parts = imap.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((part[1] for part in parts if isinstance(part, tuple)), None)
                if isinstance(raw, bytes):
                    found.append(Fetched(uid, raw))
            return found

    def mark_seen(self, uids: list[str]) -> None:
        """Flag these mails \\Seen: stored, they are not fetched again."""
        if not uids:
            return
        with self._imap() as imap:
            imap.uid("STORE", ",".join(uids), "+FLAGS", "(\\Seen)")

    def send(self, message: EmailMessage) -> None:
        """Send one mail through the SMTP server."""
        settings = self._settings
        host, port = settings.email_smtp_host, settings.email_smtp_port
        smtp: smtplib.SMTP
        if settings.email_smtp_security == "ssl":
            context = ssl.create_default_context()
            smtp = smtplib.SMTP_SSL(host, port, timeout=TIMEOUT_SECONDS, context=context)
        else:
            smtp = smtplib.SMTP(host, port, timeout=TIMEOUT_SECONDS)
        with smtp:
            if settings.email_smtp_security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.email_smtp_user:
                smtp.login(settings.email_smtp_user, settings.email_smtp_password)
            smtp.send_message(message)

    def _imap(self) -> imaplib.IMAP4:
        settings = self._settings
        imap: imaplib.IMAP4
        if settings.email_imap_ssl:
            imap = imaplib.IMAP4_SSL(
                settings.email_imap_host,
                settings.email_imap_port,
                ssl_context=ssl.create_default_context(),
                timeout=TIMEOUT_SECONDS,
            )
        else:
            imap = imaplib.IMAP4(
                settings.email_imap_host, settings.email_imap_port, timeout=TIMEOUT_SECONDS
            )
        imap.login(settings.email_imap_user, settings.email_imap_password)
        imap.select(_quoted(settings.email_imap_folder))
        return imap


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'
