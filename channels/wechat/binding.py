"""Binding a WeChat user to an account of the invoicing app with a one-time code.

The code reaches the account's owner through a pluggable sender (logged by
default, like password reset codes) or is shown in the web app to a logged-in
user. Wrong codes are counted per WeChat user: the fifth locks binding for a while.
A channel whose user ids are cheap to make anew (email: one per thread) counts them
per something the sender cannot change as easily (`count_tries_by`: the address).
Every binding, unbinding and lock is written to the log as an audit event.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import structlog
from sqlalchemy import Engine, func, insert, or_, select, update

from channels.wechat.tables import wechat_binding_codes
from channels.wechat.users import WeChatUsers

log = structlog.get_logger(__name__)
audit = structlog.get_logger("audit.wechat_binding")


class BindingCodeSender(Protocol):
    """Delivers a binding code to the owner of an account (SMS, e-mail, …)."""

    def send(self, username: str, code: str) -> None:
        """Deliver `code` to the user named `username`."""


class LoggingBindingCodeSender:
    """The demo's sender: the code goes to the app's log (never where others read it)."""

    def send(self, username: str, code: str) -> None:
        """Log the code as the event `wechat_binding_code`."""
        log.info("wechat_binding_code", username=username, code=code)


@dataclass(frozen=True)
class BindingPolicy:
    """How long codes live and how many tries a WeChat user gets."""

    code_ttl: timedelta = timedelta(minutes=10)
    wrong_codes_allowed: int = 5
    lock: timedelta = timedelta(minutes=15)
    requests_per_hour: int = 5


class Binding:
    """Requests, checks and undoes bindings; returns what to tell the user (call off the loop)."""

    def __init__(
        self,
        engine: Engine,
        users: WeChatUsers,
        user_exists: Callable[[str], bool],
        sender: BindingCodeSender | None = None,
        policy: BindingPolicy | None = None,
    ) -> None:
        self._engine = engine
        self._users = users
        self._user_exists = user_exists
        self.sender: BindingCodeSender = sender or LoggingBindingCodeSender()
        self._policy = policy or BindingPolicy()
        self._tries_keys: dict[str, Callable[[str], str]] = {}

    def count_tries_by(self, account: str, key: Callable[[str], str]) -> None:
        """Count the wrong codes (and lock) of `account`'s users by `key(user id)`, not by
        the user id: many user ids that share a key share one count of tries."""
        self._tries_keys[account] = key

    def request(self, account: str, openid: str, username: str) -> str:
        """Send a code to `username`'s owner; the answer never tells whether they exist."""
        now = datetime.now(UTC)
        if (locked := self._locked(account, openid, now)) is not None:
            return locked
        if self._requests_since(account, openid, now - timedelta(hours=1)) >= (
            self._policy.requests_per_hour
        ):
            return "获取验证码过于频繁，请一小时后再试。"
        code = _new_code()
        if self._user_exists(username):
            self._store(username, account, openid, code, now)
            self.sender.send(username, code)
        else:
            self._store("", account, openid, _new_code(), now)  # counts against the hourly limit
        audit.info("wechat_binding_requested", account=account, openid=openid, username=username)
        minutes = int(self._policy.code_ttl.total_seconds() // 60)
        return (
            f"如果开票账号“{username}”存在，验证码已发送至该账号预留的手机或邮箱，{minutes}分钟内有效。"
            "请直接回复6位验证码完成绑定。"
        )

    def issue_for_web(self, username: str) -> tuple[str, int]:
        """A code for a logged-in web user to send in WeChat; (code, seconds it lives)."""
        code = _new_code()
        self._store(username, None, None, code, datetime.now(UTC))
        audit.info("wechat_binding_code_shown", username=username)
        return code, int(self._policy.code_ttl.total_seconds())

    def has_pending_code(self, account: str, openid: str) -> bool:
        """Whether this WeChat user asked for a code that is still usable."""
        with self._engine.connect() as connection:
            found = connection.execute(
                select(wechat_binding_codes.c.id)
                .where(wechat_binding_codes.c.account == account)
                .where(wechat_binding_codes.c.openid == openid)
                .where(wechat_binding_codes.c.used_at.is_(None))
                .where(wechat_binding_codes.c.expires_at > datetime.now(UTC))
            ).first()
        return found is not None

    def confirm(self, account: str, openid: str, code: str) -> str:
        """Bind the WeChat user to the code's account, or count a wrong code."""
        now = datetime.now(UTC)
        if (locked := self._locked(account, openid, now)) is not None:
            return locked
        username = self._use_code(account, openid, code, now)
        if username is None:
            return self._wrong_code(account, openid, now)
        user = self._users.find(account, openid)
        keep = user is not None and user.username in (None, username)
        self._users.bind(account, openid, username, keep_conversation=keep)
        audit.info("wechat_account_bound", account=account, openid=openid, username=username)
        return (
            f"绑定成功！已绑定开票账号“{username}”，现在可以直接在这里办理开票、查票等业务。"
            "发送“解绑”可解除绑定。"
        )

    def unbind(self, account: str, openid: str) -> str:
        """Undo the binding (a new conversation starts)."""
        user = self._users.find(account, openid)
        if user is None or user.username is None:
            return "您尚未绑定开票账号。发送“绑定 用户名”即可绑定。"
        self._users.unbind(account, openid)
        audit.info("wechat_account_unbound", account=account, openid=openid, username=user.username)
        return f"已解除与开票账号“{user.username}”的绑定。"

    def _tries_of(self, account: str, openid: str) -> str:
        """The id whose row counts this user's wrong codes and holds their lock."""
        key = self._tries_keys.get(account)
        return openid if key is None else key(openid)

    def _locked(self, account: str, openid: str, now: datetime) -> str | None:
        user = self._users.find(account, self._tries_of(account, openid))
        if user is None or user.locked_until is None or user.locked_until <= now:
            return None
        minutes = max(1, int((user.locked_until - now).total_seconds() // 60) + 1)
        return f"验证码错误次数过多，请{minutes}分钟后再试。"

    def _wrong_code(self, account: str, openid: str, now: datetime) -> str:
        allowed = self._policy.wrong_codes_allowed
        counted = self._tries_of(account, openid)
        if counted != openid and self._users.find(account, counted) is None:
            self._users.arrive(account, counted)  # the row that keeps the shared count
        wrong = self._users.count_wrong_code(account, counted, allowed, now + self._policy.lock)
        if wrong >= allowed:
            audit.warning("wechat_binding_locked", account=account, openid=openid, counted=counted)
            return self._locked(account, openid, now) or "验证码错误次数过多，请稍后再试。"
        audit.info("wechat_binding_code_wrong", account=account, openid=openid, wrong=wrong)
        return f"验证码不正确或已过期，还可以再试{allowed - wrong}次。"

    def _use_code(self, account: str, openid: str, code: str, now: datetime) -> str | None:
        codes = wechat_binding_codes.c
        mine = (codes.account == account) & (codes.openid == openid)
        with self._engine.begin() as connection:
            row = connection.execute(
                select(codes.id, codes.username)
                .where(codes.code_hash == _hash(code))
                .where(codes.used_at.is_(None))
                .where(codes.expires_at > now)
                .where(codes.username != "")
                .where(or_(mine, codes.openid.is_(None)))
                .order_by(codes.id.desc())
                .limit(1)
            ).first()
            if row is None:
                return None
            used = connection.execute(
                update(wechat_binding_codes)
                .where(codes.id == row.id)
                .where(codes.used_at.is_(None))
                .values(used_at=now)
            )
        return str(row.username) if used.rowcount == 1 else None

    def _requests_since(self, account: str, openid: str, since: datetime) -> int:
        codes = wechat_binding_codes.c
        with self._engine.connect() as connection:
            count = connection.execute(
                select(func.count())
                .select_from(wechat_binding_codes)
                .where(codes.account == account)
                .where(codes.openid == openid)
                .where(codes.created_at >= since)
            ).scalar_one()
        return int(count)

    def _store(
        self, username: str, account: str | None, openid: str | None, code: str, now: datetime
    ) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                insert(wechat_binding_codes).values(
                    username=username,
                    account=account,
                    openid=openid,
                    code_hash=_hash(code),
                    created_at=now,
                    expires_at=now + self._policy.code_ttl,
                )
            )


def _new_code() -> str:
    return f"{secrets.randbelow(1_000_000):06d}"


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode("ascii", "ignore")).hexdigest()
