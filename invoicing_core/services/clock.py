"""The services' notion of now, replaceable in tests."""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time in UTC, the services' default clock."""
    return datetime.now(UTC)
