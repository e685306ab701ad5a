"""The scaled topology (`make cluster`) started once for the cluster tests.

They run apart from `make test` (`make test-cluster`, which `.ci/run` runs too): two
Rasa replicas and two of everything else take a minute to start and most of the
machine's memory for the session.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from websockets.sync.client import ClientConnection, connect

from bench.cluster_stack import Cluster, running_cluster
from bench.full_stack import StackFailed

AGENT = {"username": "agent", "password": "Agent@2026!"}
# The product's login limit (tests/conftest.py lifts it for the rest of the session).
LOGINS_PER_MINUTE = 30


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """HAProxy, two app workers, two Rasa replicas and two action servers, running."""
    if shutil.which("haproxy") is None:
        pytest.skip("no HAProxy installed: `apt-get install haproxy` (.ci/run does this)")
    try:
        limits = {"RATE_LIMIT_LOGIN": f"{LOGINS_PER_MINUTE}/minute"}
        with running_cluster(tmp_path_factory.mktemp("cluster-var"), limits) as running:
            yield running
    except StackFailed as failure:
        pytest.fail(str(failure))


class Socket:
    """A real websocket speaking JSON frames, as tests/integration/channels/frames.py reads."""

    def __init__(self, connection: ClientConnection) -> None:
        self._connection = connection

    def send_json(self, data: Any) -> None:
        """Send one JSON frame."""
        self._connection.send(json.dumps(data, ensure_ascii=False))

    def receive_json(self) -> Any:
        """The next frame, waiting at most 30 s."""
        return json.loads(self._connection.recv(timeout=30))


@contextmanager
def websocket(http_url: str, path: str) -> Iterator[Socket]:
    """A socket to `path` on the server at `http_url`, closed after use."""
    with connect(http_url.replace("http://", "ws://", 1) + path) as connection:
        yield Socket(connection)


def token(url: str, who: dict[str, str]) -> str:
    """A bearer token for a demo account, from the server at `url`."""
    response = httpx.post(f"{url}/api/v1/auth/token", json=who, timeout=30)
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
