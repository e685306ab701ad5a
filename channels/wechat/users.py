"""WeChat users of an account: their conversation, their bound app account, their window."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.exc import IntegrityError

from channels.wechat.tables import wechat_users


@dataclass(frozen=True)
class WeChatUser:
    """One openid (WeCom: UserID) of one account, as the channel knows it."""

    account: str
    openid: str
    conversation_id: str | None
    username: str | None
    last_inbound_at: datetime
    wrong_codes: int
    locked_until: datetime | None


class WeChatUsers:
    """The openid → conversation and openid → username mappings (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def arrive(self, account: str, openid: str, now: datetime | None = None) -> WeChatUser:
        """Record that the user just sent something (opening the 48-hour window)."""
        now = now or datetime.now(UTC)
        where = (wechat_users.c.account == account) & (wechat_users.c.openid == openid)
        try:
            with self._engine.begin() as connection:
                connection.execute(
                    insert(wechat_users).values(
                        account=account,
                        openid=openid,
                        last_inbound_at=now,
                        subscribed=True,
                        wrong_codes=0,
                    )
                )
        except IntegrityError:
            with self._engine.begin() as connection:
                connection.execute(update(wechat_users).where(where).values(last_inbound_at=now))
        found = self.find(account, openid)
        if found is None:
            raise LookupError(f"{account} user {openid} vanished while arriving")
        return found

    def find(self, account: str, openid: str) -> WeChatUser | None:
        """The user, or None if they never wrote."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(wechat_users)
                .where(wechat_users.c.account == account)
                .where(wechat_users.c.openid == openid)
            ).first()
        if row is None:
            return None
        return WeChatUser(
            row.account,
            row.openid,
            row.conversation_id,
            row.username,
            row.last_inbound_at,
            row.wrong_codes,
            row.locked_until,
        )

    def of_conversation(self, account: str, conversation_id: str) -> WeChatUser | None:
        """The user whose conversation this is on `account`, if any."""
        with self._engine.connect() as connection:
            openid = connection.execute(
                select(wechat_users.c.openid)
                .where(wechat_users.c.account == account)
                .where(wechat_users.c.conversation_id == conversation_id)
            ).scalar()
        return None if openid is None else self.find(account, openid)

    def set_conversation(self, account: str, openid: str, conversation_id: str | None) -> None:
        """Continue the user's messages in this conversation (None: start a new one)."""
        self._update(account, openid, conversation_id=conversation_id)

    def set_subscribed(self, account: str, openid: str, subscribed: bool) -> None:
        """Record a follow or an unfollow."""
        self._update(account, openid, subscribed=subscribed)

    def bind(self, account: str, openid: str, username: str, keep_conversation: bool) -> None:
        """Act for `username` from now on; a new conversation unless `keep_conversation`."""
        values: dict[str, object] = {
            "username": username,
            "bound_at": datetime.now(UTC),
            "wrong_codes": 0,
            "locked_until": None,
        }
        if not keep_conversation:
            values["conversation_id"] = None
        self._update(account, openid, **values)

    def unbind(self, account: str, openid: str) -> None:
        """Stop acting for anybody; the bound user's conversation stays theirs."""
        self._update(account, openid, username=None, bound_at=None, conversation_id=None)

    def count_wrong_code(self, account: str, openid: str, limit: int, lock_until: datetime) -> int:
        """Count a wrong code (returns the count); the `limit`-th locks until `lock_until`."""
        user = self.find(account, openid)
        wrong = (user.wrong_codes if user else 0) + 1
        if wrong >= limit:
            self._update(account, openid, wrong_codes=0, locked_until=lock_until)
        else:
            self._update(account, openid, wrong_codes=wrong)
        return wrong

    def _update(self, account: str, openid: str, **values: object) -> None:
        with self._engine.begin() as connection:
            connection.execute(
                update(wechat_users)
                .where(wechat_users.c.account == account)
                .where(wechat_users.c.openid == openid)
                .values(**values)
            )
