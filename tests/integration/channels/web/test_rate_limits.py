"""Logins, chat and the WeChat endpoints are rate limited per client: 429 in Chinese."""

import re
import shlex
import uuid
from typing import Any, TypedDict, Unpack

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import ASGIApp

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings
from tests.conftest import ROOT

LOGIN = {"username": "nobody", "password": "Wrong@2026!"}
# A client on the app's own machine, and a proxy on another one.
LOCAL = ("127.0.0.1", 50000)
PROXY = ("192.0.2.10", 50000)


class Overrides(TypedDict, total=False):
    """The app settings these tests set."""

    rate_limit_login: str
    rate_limit_chat: str
    rate_limit_wechat: str
    rate_limit_search: str
    rate_limit_ticket: str
    rate_limit_guest: str
    redis_url: str
    actions_token: str


def app_with(database_url: str, **overrides: Unpack[Overrides]) -> TestClient:
    return TestClient(
        create_app(
            AppSettings(log_json=False, **overrides), CoreSettings(database_url=database_url)
        )
    )


def served_as_in_the_procfile(app: FastAPI) -> ASGIApp:
    """The app wrapped as uvicorn wraps it when started by the Procfile's command, the
    uvicorn command of scripts/app-worker."""
    script = (ROOT / "scripts" / "app-worker").read_text().replace("\\\n", " ")
    line = next(line for line in script.splitlines() if line.startswith("exec "))
    command = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", line.removeprefix("exec "))
    options: dict[str, Any] = uvicorn.main.make_context("uvicorn", shlex.split(command)[1:]).params
    config = uvicorn.Config(
        app,
        proxy_headers=options["proxy_headers"],
        forwarded_allow_ips=options["forwarded_allow_ips"],
        log_config=None,
    )
    config.load()
    loaded: ASGIApp = config.loaded_app  # uvicorn types it Any
    return loaded


def log_in_from_new_addresses(client: TestClient, attempts: int) -> list[int]:
    return [
        client.post(
            "/api/v1/auth/token", json=LOGIN, headers={"X-Forwarded-For": f"203.0.113.{n}"}
        ).status_code
        for n in range(attempts)
    ]


def test_a_local_client_cannot_escape_the_login_limit_with_forwarded_for(
    database_url: str, engine: object
) -> None:
    app = create_app(
        AppSettings(log_json=False, rate_limit_login="30/minute"),
        CoreSettings(database_url=database_url),
    )
    with TestClient(served_as_in_the_procfile(app), client=LOCAL) as client:
        statuses = log_in_from_new_addresses(client, 35)

    assert statuses[:30] == [401] * 30 and statuses[30:] == [429] * 5


def test_forwarded_for_is_honoured_from_a_configured_proxy(
    database_url: str, engine: object
) -> None:
    settings = AppSettings(
        log_json=False, rate_limit_login="30/minute", forwarded_allow_ips=PROXY[0]
    )
    app = create_app(settings, CoreSettings(database_url=database_url))
    with TestClient(served_as_in_the_procfile(app), client=PROXY) as client:
        statuses = log_in_from_new_addresses(client, 35)

    # Each forwarded address is counted on its own: none of them passes its limit.
    assert statuses == [401] * 35


def test_the_login_past_its_limit_is_refused_with_retry_after(
    database_url: str, engine: object
) -> None:
    with app_with(database_url, rate_limit_login="3/minute") as client:
        answers = [client.post("/api/v1/auth/token", json=LOGIN) for _ in range(4)]
        other = client.get("/api/v1/knowledge/search", params={"q": "忘记密码怎么办"})

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    refused = answers[-1]
    assert refused.json() == {
        "error": {"code": "rate_limited", "message": "请求过于频繁，请稍后再试。"}
    }
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert other.status_code == 200


def test_chat_and_wechat_have_their_own_limits(database_url: str, engine: object) -> None:
    with app_with(database_url, rate_limit_chat="1/minute", rate_limit_wechat="1/minute") as client:
        chat = [client.post("/api/v1/chat", json={"message": "你好"}) for _ in range(2)]
        wechat = [client.get("/channels/wechat") for _ in range(2)]
        login = client.post("/api/v1/auth/token", json=LOGIN)

    assert chat[-1].status_code == 429 and chat[0].status_code != 429
    assert wechat[-1].status_code == 429 and wechat[0].status_code != 429
    assert login.status_code == 401


def test_workers_sharing_redis_share_the_count(database_url: str, engine: object) -> None:
    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    # A fresh limit string keeps this run's count apart from earlier runs'.
    limit = f"2/{uuid.uuid4().int % 1000 + 100} seconds"
    first = app_with(database_url, redis_url=url, rate_limit_login=limit)
    second = app_with(database_url, redis_url=url, rate_limit_login=limit)
    with first, second:
        statuses = [
            worker.post("/api/v1/auth/token", json=LOGIN).status_code
            for worker in (first, second, first)
        ]
    assert statuses == [401, 401, 429]


def test_an_unreachable_redis_lets_requests_through(database_url: str, engine: object) -> None:
    # Port 9 (discard) on 127.0.0.1 has no Redis: counting fails, serving goes on.
    with app_with(
        database_url, redis_url="redis://127.0.0.1:9/0", rate_limit_login="1/minute"
    ) as client:
        answers = [client.post("/api/v1/auth/token", json=LOGIN) for _ in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 401]


def test_socket_messages_count_against_the_chat_limit_and_are_not_stored(
    database_url: str, engine: object
) -> None:
    with app_with(database_url, rate_limit_chat="1/minute") as client:
        assert client.post("/api/v1/chat", json={"message": "你好"}).status_code != 429
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"type": "hello"})
            conversation_id = socket.receive_json()["conversation_id"]
            socket.send_json({"type": "message", "text": "在吗", "client_id": "c-1"})
            refused = socket.receive_json()
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"type": "hello", "conversation_id": conversation_id})
            welcome = socket.receive_json()

    assert refused["type"] == "error" and refused["code"] == "rate_limited"
    assert refused["message"] == "请求过于频繁，请稍后再试。"
    # The widget keeps the message and sends it again under the same client_id.
    assert refused["client_id"] == "c-1" and 1 <= refused["retry_after"] <= 60
    assert welcome["messages"] == []


def test_a_guest_cannot_open_conversations_without_end(database_url: str, engine: object) -> None:
    with app_with(database_url, rate_limit_guest="3/minute") as client:
        opened = []
        for _ in range(3):
            with client.websocket_connect("/ws/chat") as socket:
                socket.send_json({"type": "hello"})
                opened.append(socket.receive_json()["conversation_id"])
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"type": "hello"})
            refused = socket.receive_json()
        # Coming back to one's own conversation is not a new one.
        with client.websocket_connect("/ws/chat") as socket:
            socket.send_json({"type": "hello", "conversation_id": opened[0]})
            welcome = socket.receive_json()
        over_http = client.post("/api/v1/chat", json={"message": "你好"})
        store = client.app.state.services.store  # type: ignore[attr-defined]
        guests = [c for c in opened if store.get(c) is not None]

    assert len(set(opened)) == 3 == len(guests)
    assert refused["code"] == "rate_limited" and refused["retry_after"] >= 1
    assert welcome["conversation_id"] == opened[0]
    assert over_http.status_code == 429 and int(over_http.headers["retry-after"]) >= 1


def test_a_guest_cannot_leave_tickets_without_end(database_url: str, engine: object) -> None:
    client = app_with(database_url, rate_limit_ticket="2/minute")
    with client, client.websocket_connect("/ws/chat") as socket:
        socket.send_json({"type": "hello"})
        socket.receive_json()
        answers = []
        for n in range(3):
            ticket = {"type": "ticket", "text": f"留言{n}", "contact": "13800000000"}
            socket.send_json(ticket)
            answer = socket.receive_json()
            while answer["type"] not in ("ticket", "error"):
                answer = socket.receive_json()
            answers.append(answer)

    assert [a["type"] for a in answers] == ["ticket", "ticket", "error"]
    assert answers[-1]["code"] == "rate_limited"


def test_knowledge_search_is_limited_but_not_for_the_action_server(
    database_url: str, engine: object
) -> None:
    settings: Overrides = {"rate_limit_search": "2/minute", "actions_token": "service-credential"}
    with app_with(database_url, **settings) as client:
        searches = [client.get("/api/v1/knowledge/search", params={"q": "你好"}) for _ in range(3)]
        service = {"Authorization": "Bearer service-credential"}
        for_users = [
            client.get("/api/v1/knowledge/search", params={"q": "你好"}, headers=service)
            for _ in range(3)
        ]

    assert [s.status_code for s in searches][-1] == 429
    assert all(s.status_code != 429 for s in for_users)
