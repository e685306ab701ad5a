"""How a password reset code reaches its user: a pluggable sender, logging by default."""

import logging
from dataclasses import dataclass
from typing import Protocol

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResetCodeRecipient:
    """The user a code is for, with the contact details a sender may use."""

    username: str
    display_name: str
    phone: str
    email: str


class ResetCodeSender(Protocol):
    """Delivers a one-time code to a user (by SMS, e-mail, …)."""

    def send(self, user: ResetCodeRecipient, code: str) -> None:
        """Deliver `code` to `user`; raising is logged and does not reach the caller."""


class LoggingResetCodeSender:
    """The demo's sender: there is no SMS or e-mail, so the code goes to the app's log.

    Never use it where the log is readable by others than the users themselves.
    """

    def send(self, user: ResetCodeRecipient, code: str) -> None:
        """Log the code at INFO as the event `password_reset_code`."""
        _log.info(
            "password_reset_code username=%s code=%s",
            user.username,
            code,
            extra={"username": user.username, "reset_code": code},
        )
