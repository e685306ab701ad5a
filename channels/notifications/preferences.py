"""Each user's notification settings: the ways per kind and the quiet hours."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, insert, select, update

from channels.notifications.tables import notification_settings
from channels.web.errors import ClientError

SHANGHAI = ZoneInfo("Asia/Shanghai")
# What is notified (approval: requests waiting for the user's decision).
KINDS = ("risk_alert", "red_letter_form", "ticket_reply", "approval")
WAYS = ("app", "wechat", "email", "sms")
DEFAULT_WAYS: dict[str, list[str]] = {kind: ["app"] for kind in KINDS}
_HH_MM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class InvalidSettings(ClientError):
    """A setting the user sent cannot be kept; nothing was changed."""

    status = 422


@dataclass(frozen=True)
class Preferences:
    """The ways per kind and the quiet hours ("HH:MM" Asia/Shanghai, both or neither)."""

    ways: dict[str, list[str]]
    quiet_from: str | None = None
    quiet_to: str | None = None

    def ways_for(self, kind: str) -> list[str]:
        return self.ways.get(kind, [])

    def quiet_until(self, now: datetime) -> datetime | None:
        """When the quiet hours around `now` end (UTC), or None outside them."""
        if not self.quiet_from or not self.quiet_to or self.quiet_from == self.quiet_to:
            return None
        local = now.astimezone(SHANGHAI)
        start, end = _clock(self.quiet_from), _clock(self.quiet_to)
        today_end = datetime.combine(local.date(), end, SHANGHAI)
        if start < end:  # e.g. 12:00–14:00
            inside = start <= local.time() < end
            return today_end.astimezone(UTC) if inside else None
        # Over midnight, e.g. 22:00–08:00.
        if local.time() >= start:
            return (today_end + timedelta(days=1)).astimezone(UTC)
        if local.time() < end:
            return today_end.astimezone(UTC)
        return None


DEFAULTS = Preferences(DEFAULT_WAYS)


def _clock(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def parse_preferences(body: Any) -> Preferences:
    """Check what the page sent; every problem is a 422 naming the field."""
    if not isinstance(body, dict):
        raise InvalidSettings("invalid_settings", "通知设置的格式不正确。")
    unknown = set(body) - {"ways", "quiet_from", "quiet_to"}
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidSettings("unknown_field", f"不认识的设置项：{field}。", field=field)
    ways = body.get("ways")
    if not isinstance(ways, dict):
        raise InvalidSettings("invalid_ways", "请为每类通知选择接收方式。", field="ways")
    checked: dict[str, list[str]] = {}
    for kind, chosen in ways.items():
        if kind not in KINDS:
            raise InvalidSettings("unknown_kind", f"没有这类通知：{kind}。", field=f"ways.{kind}")
        if not isinstance(chosen, list) or not all(isinstance(way, str) for way in chosen):
            raise InvalidSettings(
                "invalid_ways", '接收方式应为列表，例如 ["app", "email"]。', field=f"ways.{kind}"
            )
        for way in chosen:
            if way not in WAYS:
                raise InvalidSettings(
                    "unknown_way",
                    f"不支持的接收方式：{way}（可选：站内、微信、邮件、短信）。",
                    field=f"ways.{kind}",
                )
        checked[kind] = [way for way in WAYS if way in chosen]
    quiet = {name: body.get(name) for name in ("quiet_from", "quiet_to")}
    for name, value in quiet.items():
        if value is not None and (not isinstance(value, str) or not _HH_MM.match(value)):
            raise InvalidSettings("invalid_time", "时间应写作“时:分”，例如 22:00。", field=name)
    if (quiet["quiet_from"] is None) != (quiet["quiet_to"] is None):
        missing = "quiet_to" if quiet["quiet_to"] is None else "quiet_from"
        raise InvalidSettings(
            "incomplete_quiet_hours", "免打扰时段需要同时填写开始和结束时间。", field=missing
        )
    return Preferences({**DEFAULT_WAYS, **checked}, quiet["quiet_from"], quiet["quiet_to"])


class PreferenceStore:
    """Reads and keeps the settings (synchronous; call off the loop)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def of(self, username: str) -> Preferences:
        with self._engine.connect() as connection:
            row = connection.execute(
                select(notification_settings).where(notification_settings.c.username == username)
            ).first()
        if row is None:
            return DEFAULTS
        return Preferences({**DEFAULT_WAYS, **row.ways}, row.quiet_from, row.quiet_to)

    def keep(self, username: str, preferences: Preferences) -> None:
        values = {
            "ways": preferences.ways,
            "quiet_from": preferences.quiet_from,
            "quiet_to": preferences.quiet_to,
            "updated_at": datetime.now(UTC),
        }
        table = notification_settings
        with self._engine.begin() as connection:
            changed = connection.execute(
                update(table).where(table.c.username == username).values(**values)
            ).rowcount
            if not changed:
                connection.execute(insert(table).values(username=username, **values))
