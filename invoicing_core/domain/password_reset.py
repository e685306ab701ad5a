"""Password reset by a one-time code: how codes are made, how long they last, how many tries."""

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import ClassVar

from invoicing_core.domain.errors import DomainError

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=10)
MAX_CODE_TRIES = 5
# Each code allows MAX_CODE_TRIES guesses, so capping the codes a user can be sent also
# caps how many of the million codes a stranger can try a day.
MAX_CODES_PER_WINDOW = 5
CODES_WINDOW = timedelta(hours=24)
# Codes sent to one user at the request of one client address: a stranger cannot use up
# the user's codes. And codes sent at one address's request to anyone at all.
MAX_CODES_PER_USER_FROM_ADDRESS = 3
MAX_CODES_PER_ADDRESS = 20

REQUEST_ACCEPTED_MESSAGE = (
    "如果该用户名存在，验证码已发送至账户绑定的手机或邮箱，"
    f"{CODE_TTL.seconds // 60}分钟内有效。若未收到，请稍后再试或联系企业管理员。"
)


class InvalidResetCode(DomainError):
    """The code is wrong, expired, used up or was never sent.

    One message for every case: telling them apart would reveal which user names exist.
    """

    code: ClassVar[str] = "invalid_reset_code"


def invalid_reset_code() -> InvalidResetCode:
    """The one refusal of a code, whatever the reason."""
    return InvalidResetCode(
        f"验证码错误或已失效（验证码{CODE_TTL.seconds // 60}分钟内有效，最多可输错"
        f"{MAX_CODE_TRIES}次），请核对后重试或重新获取验证码。",
        field="code",
    )


def new_reset_code() -> str:
    """A random code of CODE_DIGITS digits, leading zeros kept."""
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def may_send_another_code(*, to_user: int, to_user_from_address: int, from_address: int) -> bool:
    """Whether one more code may be sent, given the codes sent within CODES_WINDOW: to the
    user, to the user at the asking address's request, and at that address's request."""
    return (
        to_user < MAX_CODES_PER_WINDOW
        and to_user_from_address < MAX_CODES_PER_USER_FROM_ADDRESS
        and from_address < MAX_CODES_PER_ADDRESS
    )


@dataclass(frozen=True)
class ResetCode:
    """A code handed out: when it lapses, its wrong tries so far, whether it was used."""

    expires_at: datetime
    failed_tries: int = 0
    used: bool = False

    @classmethod
    def issued_at(cls, now: datetime) -> "ResetCode":
        """A fresh code sent at `now`."""
        return cls(expires_at=now + CODE_TTL)

    def is_usable(self, now: datetime) -> bool:
        """Whether the code is unused, unexpired and has tries left."""
        return not self.used and now < self.expires_at and self.failed_tries < MAX_CODE_TRIES

    def after_wrong_try(self) -> "ResetCode":
        """The code after one more wrong guess; the MAX_CODE_TRIES-th burns it."""
        return replace(self, failed_tries=self.failed_tries + 1)
