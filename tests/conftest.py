"""What every test folder shares, kept light: `make unit` loads this for every unit test.

Nothing here may import the app, the knowledge stack or a database driver; the
database fixtures live in tests/integration/conftest.py, where they are used.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Suites log in and chat far faster than people do, from one address; the limits
# themselves are tested with their own low settings (tests/integration/channels).
for _limit in ("RATE_LIMIT_LOGIN", "RATE_LIMIT_CHAT", "RATE_LIMIT_WECHAT"):
    os.environ.setdefault(_limit, "100000/minute")


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """Returns a function that finds a free TCP port on 127.0.0.1."""

    def find() -> int:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
            return port

    return find
