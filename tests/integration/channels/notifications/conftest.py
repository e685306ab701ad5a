"""Each notification test starts with no settings and no notifications (shared database)."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text


@pytest.fixture(autouse=True)
def no_notifications(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM notifications"))
        connection.execute(text("DELETE FROM notification_settings"))
        connection.execute(text("UPDATE users SET email = '', phone = ''"))
