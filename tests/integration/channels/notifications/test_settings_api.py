"""GET/PUT /api/v1/notification-settings and the in-app list."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine

from channels.notifications.outbox import Event
from tests.integration.channels.conftest import USER, AppFactory, bearer, log_in

ADMIN = {"username": "admin", "password": "Admin@2026!"}
SETTINGS = "/api/v1/notification-settings"


def test_the_defaults_are_in_the_app_for_everything_and_no_quiet_hours(
    make_client: AppFactory,
) -> None:
    client = make_client()
    answer = client.get(SETTINGS, headers=bearer(log_in(client, USER)))
    assert answer.status_code == 200
    body = answer.json()
    assert body["ways"] == {
        "risk_alert": ["app"],
        "red_letter_form": ["app"],
        "ticket_reply": ["app"],
        "approval": ["app"],
    }
    assert body["quiet_from"] is None and body["quiet_to"] is None


def test_a_user_changes_their_settings_and_another_user_keeps_the_defaults(
    make_client: AppFactory,
) -> None:
    client = make_client()
    demo = bearer(log_in(client, USER))
    wanted = {
        "ways": {"risk_alert": ["email", "app", "sms"], "approval": []},
        "quiet_from": "22:00",
        "quiet_to": "08:00",
    }
    assert client.put(SETTINGS, json=wanted, headers=demo).status_code == 200
    body = client.get(SETTINGS, headers=demo).json()
    assert body["ways"]["risk_alert"] == ["app", "email", "sms"]
    assert body["ways"]["approval"] == []
    assert body["ways"]["ticket_reply"] == ["app"]
    assert (body["quiet_from"], body["quiet_to"]) == ("22:00", "08:00")
    admin = client.get(SETTINGS, headers=bearer(log_in(client, ADMIN))).json()
    assert admin["ways"]["risk_alert"] == ["app"] and admin["quiet_from"] is None


BAD_INPUTS: list[tuple[Any, str, str | None]] = [
    ({"ways": {"risk_alert": ["fax"]}}, "unknown_way", "ways.risk_alert"),
    ({"ways": {"weather": ["app"]}}, "unknown_kind", "ways.weather"),
    ({"ways": {"risk_alert": "app"}}, "invalid_ways", "ways.risk_alert"),
    ({"ways": {"risk_alert": [1]}}, "invalid_ways", "ways.risk_alert"),
    ({"ways": []}, "invalid_ways", "ways"),
    ({}, "invalid_ways", "ways"),
    ({"ways": {}, "quiet_from": "25:00", "quiet_to": "08:00"}, "invalid_time", "quiet_from"),
    ({"ways": {}, "quiet_from": "22:00", "quiet_to": "8点"}, "invalid_time", "quiet_to"),
    ({"ways": {}, "quiet_from": "22:00"}, "incomplete_quiet_hours", "quiet_to"),
    ({"ways": {}, "colour": "red"}, "unknown_field", "colour"),
    ([1, 2], "invalid_settings", None),
]


@pytest.mark.parametrize(("body", "code", "field"), BAD_INPUTS)
def test_every_bad_input_is_refused_in_chinese_and_changes_nothing(
    make_client: AppFactory, body: Any, code: str, field: str | None
) -> None:
    client = make_client()
    demo = bearer(log_in(client, USER))
    before = client.get(SETTINGS, headers=demo).json()
    answer = client.put(SETTINGS, json=body, headers=demo)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == code
    assert error.get("field") == field
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert client.get(SETTINGS, headers=demo).json() == before


def test_nobody_logged_in_reaches_no_settings_and_no_notifications(
    make_client: AppFactory,
) -> None:
    client = make_client()
    assert client.get(SETTINGS).status_code == 401
    assert client.put(SETTINGS, json={"ways": {}}).status_code == 401
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.post("/api/v1/notifications/1/read").status_code == 401


def test_the_list_is_newest_first_paged_and_only_the_users_own_can_be_read(
    make_client: AppFactory, engine: Engine
) -> None:
    client = make_client()
    outbox = client.app.state.notifications.outbox  # type: ignore[attr-defined]
    for number in range(3):
        outbox.notify(Event(f"test:{number}", "demo", "ticket_reply", f"第{number}条", "内容"))
    outbox.notify(Event("test:admin", "admin", "ticket_reply", "管理员的", "内容"))
    demo = bearer(log_in(client, USER))
    page = client.get("/api/v1/notifications?size=2", headers=demo).json()
    assert page["total"] == 3
    assert [item["title"] for item in page["items"]] == ["第2条", "第1条"]
    first = page["items"][0]["id"]
    assert client.post(f"/api/v1/notifications/{first}/read", headers=demo).status_code == 204
    assert client.get("/api/v1/notifications", headers=demo).json()["items"][0]["read"] is True
    admin = bearer(log_in(client, ADMIN))
    admins = client.get("/api/v1/notifications", headers=admin).json()["items"]
    assert [item["title"] for item in admins] == ["管理员的"]
    answer = client.post(f"/api/v1/notifications/{first}/read", headers=admin)
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "notification_not_found"
