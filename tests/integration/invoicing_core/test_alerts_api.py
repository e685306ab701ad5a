"""GET /api/v1/alerts: a company admin's risk alerts from real activity."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.invoice import CHINA_TZ
from invoicing_core.persistence.audit import AuditEntry, record, verify_chain
from tests.integration.invoicing_core.company_users import add_user, log_in
from tests.integration.invoicing_core.conftest import Tenant, make_tenant
from tests.integration.invoicing_core.test_invoice_api import issue, service_fee

ALERTS = "/api/v1/alerts"


@pytest.fixture
def admin(app_client: TestClient, core: InvoicingCore, tenant: Tenant) -> dict[str, str]:
    return log_in(app_client, add_user(core, tenant, Role.ADMIN))


def alerts_of(
    client: TestClient, headers: dict[str, str], **params: str
) -> dict[str, list[dict[str, Any]]]:
    """The alerts by rule id."""
    response = client.get(ALERTS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    found: dict[str, list[dict[str, Any]]] = {}
    for alert in response.json()["alerts"]:
        found.setdefault(alert["rule"], []).append(alert)
    return found


def test_a_quiet_company_has_no_alerts(app_client: TestClient, admin: dict[str, str]) -> None:
    response = app_client.get(ALERTS, headers=admin)
    assert response.status_code == 200
    assert response.json()["alerts"] == []
    since, until = (datetime.fromisoformat(response.json()[k]) for k in ("since", "until"))
    assert until - since == timedelta(hours=24)


def test_guessing_a_password_raises_failed_login_and_lock_out_alerts(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, admin: dict[str, str]
) -> None:
    victim = add_user(core, tenant, Role.ISSUER)
    for _ in range(5):
        app_client.post("/api/v1/auth/token", json={"username": victim, "password": "Guess@1!"})

    found = alerts_of(app_client, admin)

    [failures] = found["repeated_failed_logins"]
    assert (failures["severity"], failures["targets"]) == ("warning", [victim])
    assert "登录失败5次" in failures["message"]
    [locked] = found["account_locked"]
    assert (locked["severity"], locked["targets"]) == ("high", [victim])


def test_five_red_letters_within_the_hour_raise_a_corrections_alert(
    app_client: TestClient, tenant: Tenant, admin: dict[str, str]
) -> None:
    numbers = [issue(app_client, tenant, service_fee())["number"] for _ in range(5)]
    for number in numbers:
        response = app_client.post(
            f"/api/v1/invoices/{number}/red-letter", json={"reason": "1"}, headers=tenant.issuer
        )
        assert response.status_code == 201, response.text

    [alert] = alerts_of(app_client, admin)["frequent_corrections"]

    assert (alert["severity"], alert["targets"]) == ("high", numbers)
    assert datetime.fromisoformat(alert["window_start"]) <= datetime.fromisoformat(
        alert["window_end"]
    )


def test_issuing_past_90_percent_of_the_quota_raises_a_quota_alert(
    app_client: TestClient, core: InvoicingCore
) -> None:
    tenant = make_tenant(app_client, core, quota="11000")
    admin = log_in(app_client, add_user(core, tenant, Role.ADMIN))
    number = issue(app_client, tenant, service_fee())["number"]  # 10000 of 11000

    [alert] = alerts_of(app_client, admin)["quota_nearly_used"]

    assert (alert["severity"], alert["targets"]) == ("warning", [number])
    assert "本月开票额度已使用90.9%" in alert["message"]


def test_issuing_at_night_raises_an_off_hours_alert(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, admin: dict[str, str]
) -> None:
    # The invoice service stamps the real time, so the night-time issue is recorded directly.
    yesterday = datetime.now(CHINA_TZ).date() - timedelta(days=1)
    night = datetime.combine(yesterday, time(22, 15), tzinfo=CHINA_TZ)
    after = {"status": "issued", "kind": "digital_special"}
    entry = AuditEntry(
        "night-owl", "invoice.issue", "NIGHT-1", night, tenant.company_id, None, after
    )
    with core.engine.begin() as connection:
        record(connection, entry)

    since = datetime.combine(yesterday, time(0)).isoformat()  # read as China time
    [alert] = alerts_of(app_client, admin, since=since)["off_hours_issuing"]

    assert alert["targets"] == ["NIGHT-1"]
    assert "开票人：night-owl" in alert["message"]
    assert datetime.fromisoformat(alert["window_start"]) == night
    assert verify_chain(core.engine).intact


def test_another_companys_admin_sees_none_of_the_companys_alerts(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    victim = add_user(core, tenant, Role.ISSUER)
    for _ in range(5):
        app_client.post("/api/v1/auth/token", json={"username": victim, "password": "Guess@1!"})
    stranger = make_tenant(app_client, core)
    stranger_admin = log_in(app_client, add_user(core, stranger, Role.ADMIN))

    assert alerts_of(app_client, stranger_admin) == {}


@pytest.mark.parametrize("who", ["issuer", "viewer"])
def test_company_users_who_are_not_admins_may_not_see_alerts(
    app_client: TestClient, tenant: Tenant, who: str
) -> None:
    response = app_client.get(ALERTS, headers=getattr(tenant, who))
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    assert response.json()["error"]["message"] == "只有企业管理员可以查看风险预警。"


def test_an_agent_may_not_see_alerts(app_client: TestClient, core: InvoicingCore) -> None:
    agent = log_in(app_client, add_user(core, None, Role.AGENT))
    assert app_client.get(ALERTS, headers=agent).status_code == 403


def test_alerts_need_a_login(app_client: TestClient) -> None:
    assert app_client.get(ALERTS).status_code == 401


@pytest.mark.parametrize(
    "since",
    [(datetime.now(UTC) - timedelta(days=40)).isoformat(), "yesterday", "2026-13-01T00:00:00"],
)
def test_a_since_too_long_ago_or_malformed_is_refused(
    app_client: TestClient, admin: dict[str, str], since: str
) -> None:
    response = app_client.get(ALERTS, params={"since": since}, headers=admin)
    assert (response.status_code, response.json()["error"]["field"]) == (422, "since")


@pytest.mark.parametrize(
    "since", ["9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59", "3000-01-01"]
)
def test_a_start_beyond_the_supported_dates_is_refused_not_a_server_error(
    app_client: TestClient, admin: dict[str, str], since: str
) -> None:
    response = app_client.get(ALERTS, params={"since": since}, headers=admin)

    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("date_out_of_range", "since")
    assert error["message"]
