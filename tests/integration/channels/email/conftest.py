"""The app with the email channel on, against a real IMAP server and a local SMTP server.

Dovecot (Debian's dovecot-imapd) runs once per session with a private configuration
in a temporary folder: plain IMAP on 127.0.0.1, one mailbox user from a passwd-file,
maildir storage. aiosmtpd's Controller records what the app sends. A customer's mail
reaches the mailbox by IMAP APPEND. Without dovecot the tests are skipped.
"""

from __future__ import annotations

import getpass
import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import make_msgid
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from channels.email_channel.channel import EmailChannel
from channels.wechat.tables import wechat_users
from tests.integration.channels.conftest import AppFactory

SUPPORT = "support@kaipiao.test"
IMAP_USER, IMAP_PASSWORD = "support", "mailbox-secret"


class Dovecot:
    """The running IMAP server and how to put mail into its mailbox."""

    def __init__(self, port: int) -> None:
        self.port = port

    def connect(self) -> imaplib.IMAP4:
        """A logged-in connection with INBOX selected."""
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(IMAP_USER, IMAP_PASSWORD)
        imap.select("INBOX")
        return imap

    def append(self, message: EmailMessage) -> None:
        """Deliver a mail to the support mailbox, unseen."""
        with self.connect() as imap:
            imap.append("INBOX", "", None, message.as_bytes())

    def unseen(self) -> int:
        """How many mails of the mailbox are still unseen."""
        with self.connect() as imap:
            _, data = imap.uid("SEARCH", "UNSEEN")
            return len((data[0] or b"").split())

    def empty(self) -> None:
        """Delete every mail: each test starts with an empty mailbox (the databases of a
        session, SQLite's and PostgreSQL's, do not know each other's mails)."""
        with self.connect() as imap:
            imap.uid("STORE", "1:*", "+FLAGS", "(\\Deleted)")
            imap.expunge()

    def mark_all_unseen(self) -> None:
        """As if another worker had fetched them before this one marked them \\Seen."""
        with self.connect() as imap:
            imap.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")


def _dovecot_config(folder: Path, port: int) -> Path:
    if os.geteuid() == 0:  # as root: dovecot's own users run the login and the mailbox
        login, internal = "dovenull", "dovecot"
    else:
        login = internal = getpass.getuser()
    owner = pwd.getpwnam(internal)
    mail = folder / "mail"
    mail.mkdir()
    os.chown(mail, owner.pw_uid, owner.pw_gid)
    users = folder / "users"
    users.write_text(
        f"{IMAP_USER}:{{PLAIN}}{IMAP_PASSWORD}:{owner.pw_uid}:{owner.pw_gid}::{mail}/{IMAP_USER}::\n"
    )
    config = folder / "dovecot.conf"
    config.write_text(
        f"""protocols = imap
listen = 127.0.0.1
base_dir = {folder}/run
state_dir = {folder}/state
log_path = {folder}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login}
default_internal_user = {internal}
first_valid_uid = 1
mail_location = maildir:{mail}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {users}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {users}
}}
service imap-login {{
  chroot =
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
}}
"""
    )
    return config


@pytest.fixture(scope="session")
def dovecot(free_port: Callable[[], int]) -> Iterator[Dovecot]:
    """A private dovecot for the session; skipped where dovecot is not installed."""
    binary = shutil.which("dovecot") or shutil.which("dovecot", path="/usr/sbin:/sbin")
    if binary is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd)")
    folder = Path(tempfile.mkdtemp(prefix="kaipiao-dovecot-"))
    folder.chmod(0o755)  # its login and mail processes run as its own users
    port = free_port()
    config = _dovecot_config(folder, port)
    process = subprocess.Popen([binary, "-F", "-c", str(config)])
    server = Dovecot(port)
    deadline = time.monotonic() + 15
    while True:
        try:
            server.connect().logout()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"dovecot did not start: {(folder / 'dovecot.log').read_text()}")
            time.sleep(0.1)
    yield server
    process.terminate()
    process.wait(10)
    shutil.rmtree(folder, ignore_errors=True)


class Recorder:
    """aiosmtpd's handler: keeps every mail the app sent."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sent: list[EmailMessage] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = BytesParser(policy=policy.default).parsebytes(envelope.content)
        self.sent.append(message)
        return "250 OK"

    def to(self, address: str, count: int = 1, timeout: float = 30.0) -> list[EmailMessage]:
        """The mails sent to `address`, once there are `count` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [m for m in self.sent if address in str(m.get("To", ""))]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.05)


class Refusing(Recorder):
    """A server that answers the first `refusals` tries with `reply` (e.g. 451), then keeps
    the mail; when each try came is kept."""

    def __init__(self, port: int, refusals: int, reply: str) -> None:
        super().__init__(port)
        self.refusals = refusals
        self.reply = reply
        self.tries: list[float] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.tries.append(time.monotonic())
        if self.refusals:
            self.refusals -= 1
            return self.reply
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def refusing_smtp(port: int, refusals: int, reply: str) -> Iterator[Refusing]:
    """A local SMTP server refusing the first `refusals` mails with `reply`."""
    recorder = Refusing(port, refusals, reply)
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder
    finally:
        controller.stop()


@pytest.fixture(scope="session")
def smtp(free_port: Callable[[], int]) -> Iterator[Recorder]:
    """A local SMTP server that records what it is sent."""
    recorder = Recorder(free_port())
    controller = Controller(recorder, hostname="127.0.0.1", port=recorder.port)
    controller.start()
    yield recorder
    controller.stop()


@pytest.fixture
def email_app(make_client: AppFactory, dovecot: Dovecot, smtp: Recorder) -> AppFactory:
    """Starts an app (a worker) with the channel on this mailbox; its timer never fires."""
    dovecot.empty()

    def make(**overrides: Any) -> TestClient:
        settings: dict[str, Any] = {
            "email_address": SUPPORT,
            "email_imap_host": "127.0.0.1",
            "email_imap_port": dovecot.port,
            "email_imap_ssl": False,
            "email_imap_user": IMAP_USER,
            "email_imap_password": IMAP_PASSWORD,
            "email_poll_seconds": 3600,
            "email_smtp_host": "127.0.0.1",
            "email_smtp_port": smtp.port,
            "email_smtp_security": "none",
        }
        return make_client(**{**settings, **overrides})

    return make


@pytest.fixture
def client(email_app: AppFactory) -> TestClient:
    """One app worker with the channel on."""
    return email_app()


def channel_of(client: TestClient) -> EmailChannel:
    """The app's email channel."""
    found = client.app.state.services.email_channel  # type: ignore[attr-defined]
    assert found is not None
    return found  # type: ignore[no-any-return]


def poll(client: TestClient) -> int:
    """One round of the worker's polling, as its timer would run it."""
    return int(client.portal.call(channel_of(client).poll_once))  # type: ignore[union-attr]


def new_sender() -> str:
    """A customer address nobody has written from yet."""
    return f"clerk-{os.urandom(5).hex()}@customer.test"


def mail(
    sender: str,
    text: str,
    subject: str = "开票咨询",
    reply_to: EmailMessage | None = None,
    headers: dict[str, str] | None = None,
) -> EmailMessage:
    """A customer's plain-text mail; in the thread of `reply_to` when given."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = SUPPORT
    message["Subject"] = subject if reply_to is None else str(reply_to["Subject"])
    message["Message-ID"] = make_msgid(domain="customer.test")
    if reply_to is not None:
        message["In-Reply-To"] = str(reply_to["Message-ID"])
        references = f"{reply_to.get('References', '')} {reply_to['Message-ID']}".strip()
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(text)
    return message


def threads_of(engine: Engine, sender: str) -> set[str]:
    """The conversations of the sender's mail threads."""
    with engine.connect() as connection:
        rows = connection.execute(
            select(wechat_users.c.conversation_id)
            .where(wechat_users.c.account == "email")
            .where(wechat_users.c.openid.endswith(f":{sender}"))
        ).all()
    return {row.conversation_id for row in rows if row.conversation_id}
