"""When agents answer: days of the week and a time window in the service's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

DAY_NAMES = "一二三四五六日"


@dataclass(frozen=True)
class WorkingHours:
    """Days (ISO weekday numbers) and a [start, end) window of local time."""

    days: frozenset[int]
    start: time
    end: time | None  # None: until midnight
    zone: ZoneInfo

    @classmethod
    def parse(cls, days: str, hours: str, zone: str) -> WorkingHours:
        """From settings such as days "12345" and hours "09:00-18:00"."""
        start_text, _, end_text = hours.partition("-")
        end = None if end_text.strip() in ("24:00", "") else time.fromisoformat(end_text.strip())
        found = frozenset(int(day) for day in days if day.isdigit() and 1 <= int(day) <= 7)
        return cls(found, time.fromisoformat(start_text.strip()), end, ZoneInfo(zone))

    def is_open(self, at: datetime | None = None) -> bool:
        """Whether agents work at this moment (now by default)."""
        local = (at or datetime.now(UTC)).astimezone(self.zone)
        if local.isoweekday() not in self.days:
            return False
        now = local.time()
        return self.start <= now and (self.end is None or now < self.end)

    def describe(self) -> str:
        """The hours in words for users, e.g. "周一至周五 09:00-18:00"."""
        days = sorted(self.days)
        if days == list(range(1, 8)):
            day_text = "每天"
        elif days == list(range(days[0], days[-1] + 1)) if days else False:
            day_text = f"周{DAY_NAMES[days[0] - 1]}至周{DAY_NAMES[days[-1] - 1]}"
        else:
            day_text = "、".join(f"周{DAY_NAMES[day - 1]}" for day in days)
        end = self.end.strftime("%H:%M") if self.end else "24:00"
        return f"{day_text} {self.start.strftime('%H:%M')}-{end}"
