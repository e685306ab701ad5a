"""A notice (系统公告): its text, when it is shown, whether it is a maintenance window;
what a scheduler may send, checked field by field, and how a notice reads to users."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from channels.web.errors import ClientError

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_TEXT_CHARS = 500
# How long before it starts a notice is shown (the widget's and the console's banner,
# WeChat's line before an answer).
SHOWN_BEFORE = timedelta(hours=24)
FIELDS = ("text", "starts_at", "ends_at", "maintenance")


class InvalidNotice(ClientError):
    """What was sent is not a notice that can be scheduled; nothing is stored."""

    status = 422


@dataclass(frozen=True)
class NoticeDraft:
    """A notice as a scheduler asks for it, checked."""

    text: str
    starts_at: datetime
    ends_at: datetime
    maintenance: bool


@dataclass(frozen=True)
class Notice:
    """A scheduled notice."""

    id: int
    text: str
    starts_at: datetime
    ends_at: datetime
    maintenance: bool
    created_by: str
    created_at: datetime

    def is_current(self, now: datetime) -> bool:
        """Whether the notice's time has come and not passed."""
        return self.starts_at <= now < self.ends_at

    def is_shown(self, now: datetime) -> bool:
        """Current, or starting within SHOWN_BEFORE."""
        return now < self.ends_at and self.starts_at - SHOWN_BEFORE <= now

    def to_json(self, now: datetime) -> dict[str, Any]:
        """The API's shape of a notice."""
        return {
            "id": self.id,
            "text": self.text,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "maintenance": self.maintenance,
            "current": self.is_current(now),
            # Shown to users now (the widget's and the console's banner): current, or
            # starting within a day; `line` is how every channel words it.
            "shown": self.is_shown(now),
            "period": period_text(self.starts_at, self.ends_at, now),
            "line": notice_line(self, now),
        }


def parse_notice(body: Any, now: datetime) -> NoticeDraft:
    """Check what a scheduler sent; every problem is a 422 naming the field."""
    if not isinstance(body, dict):
        raise InvalidNotice("invalid_notice", "公告的格式不正确，应为 JSON 对象。")
    for field in body:
        if field not in FIELDS:
            raise InvalidNotice("unknown_field", f"不认识的字段：{field}。", field=str(field))
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InvalidNotice("text_empty", "请填写公告内容。", field="text")
    text = text.strip()
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidNotice(
            "text_too_long", f"公告内容最多 {MAX_TEXT_CHARS} 个字符。", field="text"
        )
    starts_at = parse_time(body.get("starts_at"), "starts_at")
    ends_at = parse_time(body.get("ends_at"), "ends_at")
    if ends_at <= starts_at:
        raise InvalidNotice("end_before_start", "结束时间应晚于开始时间。", field="ends_at")
    if ends_at <= now:
        raise InvalidNotice("end_in_past", "结束时间已经过去，请填写将来的时间。", field="ends_at")
    maintenance = body.get("maintenance", False)
    if not isinstance(maintenance, bool):
        raise InvalidNotice(
            "invalid_maintenance", "maintenance 应为 true 或 false。", field="maintenance"
        )
    return NoticeDraft(text, starts_at, ends_at, maintenance)


def parse_time(value: Any, field: str) -> datetime:
    """An ISO 8601 time; one without an offset is Beijing time."""
    if value is None or value == "":
        raise InvalidNotice(
            "missing_time", "请填写时间，例如 2026-12-08T02:00+08:00。", field=field
        )
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None:
        raise InvalidNotice(
            "invalid_time", "时间格式不正确，应写作 2026-12-08T02:00+08:00。", field=field
        )
    if not 2000 <= when.year <= 2999:
        raise InvalidNotice("invalid_time", "时间应在 2000 年到 2999 年之间。", field=field)
    if when.tzinfo is None:
        when = when.replace(tzinfo=SHANGHAI)
    return when.astimezone(UTC)


def clock_text(when: datetime, now: datetime) -> str:
    """Beijing time as users read it: "02:00" today, "12月8日 02:00" another day."""
    local, today = when.astimezone(SHANGHAI), now.astimezone(SHANGHAI)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def period_text(starts_at: datetime, ends_at: datetime, now: datetime) -> str:
    """ "12月8日 02:00 至 04:00" (Beijing time)."""
    start = clock_text(starts_at, now)
    same_day = starts_at.astimezone(SHANGHAI).date() == ends_at.astimezone(SHANGHAI).date()
    end = ends_at.astimezone(SHANGHAI).strftime("%H:%M") if same_day else clock_text(ends_at, now)
    return f"{start} 至 {end}"


def maintenance_reply(window: Notice, now: datetime) -> str:
    """What the bot says to a message during a maintenance window."""
    return (
        f"系统维护中，预计 {clock_text(window.ends_at, now)} 恢复，"
        "您的消息已保存，恢复后将为您处理。"
    )


def notice_line(notice: Notice, now: datetime) -> str:
    """The notice as one line of text (WeChat shows it before an answer)."""
    kind = "系统维护公告" if notice.maintenance else "系统公告"
    period = period_text(notice.starts_at, notice.ends_at, now)
    return f"【{kind}】{notice.text}（{period}，北京时间）"
