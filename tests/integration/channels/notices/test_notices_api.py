"""Scheduling system notices: supervisors through the API, operators on the command line;
everyone reads the current and upcoming ones; bad input is refused in Chinese."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from channels.notices.tables import notices
from tests.conftest import ROOT
from tests.integration.channels.conftest import USER, AppFactory, bearer, log_in
from tests.integration.channels.notices.conftest import SUPERVISOR, at, schedule


def test_a_supervisor_schedules_a_notice_everyone_reads_it_and_it_is_withdrawn(
    make_client: AppFactory,
) -> None:
    client = make_client()
    later = schedule(
        client, text="12月8日凌晨系统升级", starts_at=at(3600), ends_at=at(7200), maintenance=True
    )
    now = schedule(client, text="新版开票界面已上线", starts_at=at(-60), ends_at=at(600))

    listed = client.get("/api/v1/notices")  # no login needed
    assert listed.status_code == 200
    items = listed.json()["items"]
    assert [(i["id"], i["current"], i["maintenance"]) for i in items] == [
        (now["id"], True, False),
        (later["id"], False, True),
    ]
    assert items[1]["text"] == "12月8日凌晨系统升级" and " 至 " in items[1]["period"]

    token = log_in(client, SUPERVISOR)
    assert client.delete(f"/api/v1/notices/{later['id']}", headers=bearer(token)).status_code == 204
    assert [i["id"] for i in client.get("/api/v1/notices").json()["items"]] == [now["id"]]
    again = client.delete(f"/api/v1/notices/{later['id']}", headers=bearer(token))
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "notice_not_found"


# Far enough ahead that the list, made when the module is loaded, is still in the future
# when a slow run reaches its last case.
DAY = 86_400
BAD_NOTICES: list[tuple[Any, str, str | None]] = [
    ({"text": "升级", "starts_at": at(7200), "ends_at": at(3600)}, "end_before_start", "ends_at"),
    ({"text": "升级", "starts_at": at(-7200), "ends_at": at(-3600)}, "end_in_past", "ends_at"),
    ({"text": "  ", "starts_at": at(DAY), "ends_at": at(DAY + 60)}, "text_empty", "text"),
    ({"starts_at": at(DAY), "ends_at": at(DAY + 60)}, "text_empty", "text"),
    ({"text": "长" * 501, "starts_at": at(DAY), "ends_at": at(DAY + 60)}, "text_too_long", "text"),
    (
        {"text": "升级", "starts_at": "明天两点", "ends_at": at(DAY + 60)},
        "invalid_time",
        "starts_at",
    ),
    ({"text": "升级", "starts_at": at(DAY)}, "missing_time", "ends_at"),
    (
        {"text": "升级", "starts_at": "1899-01-01T00:00", "ends_at": at(DAY)},
        "invalid_time",
        "starts_at",
    ),
    (
        {"text": "升级", "starts_at": at(DAY), "ends_at": at(DAY + 60), "maintenance": "是"},
        "invalid_maintenance",
        "maintenance",
    ),
    (
        {"text": "升级", "starts_at": at(DAY), "ends_at": at(DAY + 60), "by": "x"},
        "unknown_field",
        "by",
    ),
    (["升级"], "invalid_notice", None),
]


@pytest.mark.parametrize(("body", "code", "field"), BAD_NOTICES)
def test_a_bad_notice_is_refused_in_chinese_naming_the_field_and_nothing_is_stored(
    make_client: AppFactory, engine: Engine, body: Any, code: str, field: str | None
) -> None:
    client = make_client()
    token = log_in(client, SUPERVISOR)
    response = client.post("/api/v1/notices", json=body, headers=bearer(token))
    assert response.status_code == 422
    error = response.json()["error"]
    assert (error["code"], error.get("field")) == (code, field)
    assert any("\u4e00" <= character <= "\u9fff" for character in error["message"])
    with engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(notices)).scalar() == 0


def test_only_a_supervisor_schedules_or_withdraws(make_client: AppFactory) -> None:
    client = make_client()
    body = {"text": "升级", "starts_at": at(60), "ends_at": at(120)}
    assert client.post("/api/v1/notices", json=body).status_code == 401
    refused = client.post("/api/v1/notices", json=body, headers=bearer(log_in(client, USER)))
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "只有客服主管可以发布或撤下系统公告。"
    notice = schedule(client, **body)
    user = bearer(log_in(client, USER))
    assert client.delete(f"/api/v1/notices/{notice['id']}", headers=user).status_code == 403
    assert [i["id"] for i in client.get("/api/v1/notices").json()["items"]] == [notice["id"]]


def _notice_command(database_url: str, *arguments: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, "-m", "channels", "notice", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_an_operator_schedules_lists_and_withdraws_on_the_command_line(
    make_client: AppFactory, database_url: str
) -> None:
    client = make_client()
    added = _notice_command(
        database_url,
        "add",
        "--text",
        "系统升级，期间暂停服务",
        "--start",
        "2999-12-08T02:00",
        "--end",
        "2999-12-08T04:00",
        "--maintenance",
    )
    assert added.returncode == 0, added.stderr
    assert (
        "【系统维护公告】系统升级，期间暂停服务（12月8日 02:00 至 04:00，北京时间）" in added.stdout
    )
    [notice] = client.get("/api/v1/notices").json()["items"]
    assert notice["maintenance"] is True
    assert notice["starts_at"] == "2999-12-07T18:00:00+00:00"  # 02:00 in Beijing

    listed = _notice_command(database_url, "list")
    assert listed.stdout.startswith(f"{notice['id']}  【系统维护公告】")

    refused = _notice_command(
        database_url, "add", "--text", "x", "--start", "2999-12-08T04:00", "--end", "2999-12-08"
    )
    assert refused.returncode == 2
    assert refused.stderr.strip() == "错误（end_before_start）（ends_at）：结束时间应晚于开始时间。"

    assert _notice_command(database_url, "withdraw", str(notice["id"])).returncode == 0
    assert client.get("/api/v1/notices").json()["items"] == []
    gone = _notice_command(database_url, "withdraw", str(notice["id"]))
    assert (gone.returncode, "notice_not_found" in gone.stderr) == (2, True)
