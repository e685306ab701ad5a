"""Guessing passwords and abusing the lock-out through POST /auth/token; admins unlocking.

Each attacker connects from an address of its own, as a stranger on the internet would.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.passwords import verify_password
from invoicing_core.persistence.tables import users
from tests.integration.invoicing_core.company_users import add_user, audit_trail, log_in
from tests.integration.invoicing_core.conftest import (
    PASSWORD,
    Tenant,
    from_address,
    make_tenant,
    new_address,
)

TOKEN = "/api/v1/auth/token"
WRONG = "Guess@2026!"


def attempt(client: TestClient, username: str, password: str = WRONG) -> tuple[int, Any]:
    response = client.post(TOKEN, json={"username": username, "password": password})
    return response.status_code, response.json()


def guess(client: TestClient, username: str, times: int) -> None:
    for _ in range(times):
        assert attempt(client, username)[0] != 200


def test_an_unknown_user_a_wrong_password_and_a_lock_out_get_one_answer(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    locked, other = add_user(core, tenant, Role.ISSUER), add_user(core, tenant, Role.ISSUER)
    guesser = from_address(app_client, new_address())
    guess(guesser, locked, 5)

    answers = {
        "unknown user": attempt(guesser, "no-such-user-anywhere"),
        "wrong password": attempt(guesser, other),
        "locked out, wrong password": attempt(guesser, locked),
        "locked out, right password": attempt(guesser, locked, PASSWORD),
    }

    assert answers == dict.fromkeys(answers, answers["unknown user"])
    status, body = answers["unknown user"]
    assert (status, body["error"]["code"], body["error"]["field"]) == (
        401,
        "invalid_credentials",
        "password",
    )
    assert "锁定" in body["error"]["message"] and "联系管理员解锁" in body["error"]["message"]


def test_a_locked_out_address_still_costs_a_password_check(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Answering before checking the password made a lock-out 15 times faster to answer.
    import invoicing_core.services.accounts as accounts_module

    locked = add_user(core, tenant, Role.ISSUER)
    guesser = from_address(app_client, new_address())
    guess(guesser, locked, 5)
    checked: list[str] = []

    def counting(password_hash: str | None, password: str) -> bool:
        checked.append(password)
        return verify_password(password_hash, password)

    monkeypatch.setattr(accounts_module, "verify_password", counting)

    assert (attempt(guesser, locked)[0], checked) == (401, [WRONG])


def test_a_strangers_wrong_passwords_do_not_lock_the_user_out(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    victim = add_user(core, tenant, Role.ISSUER)
    stranger = from_address(app_client, new_address())
    guess(stranger, victim, 6)

    log_in(from_address(app_client, new_address()), victim)

    # The stranger's address stays locked out of the account, even with the right password.
    assert attempt(stranger, victim, PASSWORD)[0] == 401


def test_only_many_addresses_together_lock_the_account_for_everyone(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    victim = add_user(core, tenant, Role.ISSUER)
    for _ in range(9):
        guess(from_address(app_client, new_address()), victim, 5)
    # 45 wrong passwords from 9 addresses: the user still gets in from their own.
    log_in(from_address(app_client, new_address()), victim)

    guess(from_address(app_client, new_address()), victim, 5)

    assert attempt(from_address(app_client, new_address()), victim, PASSWORD)[0] == 401
    lock = audit_trail(core, victim)[-1]
    assert lock["action"] == "account.locked"
    assert lock["after"]["account_locked_until"] is not None


def test_an_admin_unlocks_a_user_for_every_address_and_it_is_audited(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    admin_name = add_user(core, tenant, Role.ADMIN)
    admin = log_in(app_client, admin_name)
    victim = add_user(core, tenant, Role.ISSUER)
    guesser = from_address(app_client, new_address())
    guess(guesser, victim, 5)
    listed = app_client.get("/api/v1/users", headers=admin).json()["items"]
    assert {user["username"]: user["locked"] for user in listed}[victim] is True

    response = app_client.post(f"/api/v1/users/{victim}/unlock", headers=admin)

    assert response.status_code == 200, response.text
    assert (response.json()["username"], response.json()["locked"]) == (victim, False)
    log_in(guesser, victim)
    [unlock] = [e for e in audit_trail(core, victim) if e["action"] == "account.unlock"]
    assert (unlock["actor"], unlock["company_id"]) == (admin_name, tenant.company_id)
    assert unlock["before"]["locked_addresses"] == 1
    assert unlock["after"] == {
        "account_failures": 0,
        "account_locked_until": None,
        "locked_addresses": 0,
    }


def test_an_admin_cannot_unlock_another_companys_user(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    admin = log_in(app_client, add_user(core, tenant, Role.ADMIN))
    outsider = add_user(core, make_tenant(app_client, core), Role.ISSUER)

    response = app_client.post(f"/api/v1/users/{outsider}/unlock", headers=admin)

    assert (response.status_code, response.json()["error"]["code"]) == (404, "user_not_found")
    assert "account.unlock" not in [e["action"] for e in audit_trail(core, outsider)]


def test_the_operators_unlock_lifts_a_lock_for_everyone(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    victim = add_user(core, tenant, Role.ISSUER)
    with core.engine.begin() as connection:
        connection.execute(
            update(users)
            .where(users.c.username == victim)
            .values(locked_until=datetime.now(UTC) + timedelta(minutes=10))
        )
    assert attempt(app_client, victim, PASSWORD)[0] != 200

    core.accounts.unlock(victim)

    log_in(app_client, victim)
    unlock = [e for e in audit_trail(core, victim) if e["action"] == "account.unlock"][-1]
    assert unlock["actor"] == "system" and unlock["before"]["account_locked_until"]
