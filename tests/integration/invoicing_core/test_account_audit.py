"""Account events leave audit entries: logins, failures, lock-outs and new users."""

from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.persistence.audit import verify_chain
from tests.integration.invoicing_core.company_users import add_user, audit_trail, log_in
from tests.integration.invoicing_core.conftest import Tenant


def test_creating_a_user_records_who_created_it_and_with_which_role(
    core: InvoicingCore, tenant: Tenant
) -> None:
    username = f"audited-{tenant.company_id}"
    core.accounts.create_user(
        username=username,
        password="Good@2026!",
        role=Role.VIEWER,
        company_id=tenant.company_id,
        actor="ops-admin",
    )

    [entry] = audit_trail(core, username)

    assert (entry["action"], entry["actor"], entry["company_id"]) == (
        "account.create_user",
        "ops-admin",
        tenant.company_id,
    )
    assert entry["after"] == {"role": "viewer", "display_name": username}


def test_a_login_is_recorded_with_the_login_state_before_and_after(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    username = add_user(core, tenant, Role.ISSUER)
    wrong = {"username": username, "password": "Wrong@2026!"}
    assert app_client.post("/api/v1/auth/token", json=wrong).status_code == 401
    log_in(app_client, username)

    entries = audit_trail(core, username)

    assert [e["action"] for e in entries] == [
        "account.create_user",
        "account.login_failed",
        "account.login",
    ]
    failed, login = entries[1:]
    assert (failed["actor"], failed["company_id"]) == (username, tenant.company_id)
    assert failed["before"]["failed_logins"] == 0 and failed["after"]["failed_logins"] == 1
    assert login["before"]["failed_logins"] == 1 and login["after"]["failed_logins"] == 0


def test_the_fifth_wrong_password_records_the_failure_and_the_address_lock_out(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    username = add_user(core, tenant, Role.ISSUER)
    wrong = {"username": username, "password": "Wrong@2026!"}
    statuses = [app_client.post("/api/v1/auth/token", json=wrong).status_code for _ in range(6)]

    actions = [e["action"] for e in audit_trail(core, username)]

    # The sixth try meets a lock-out: refused alike, neither counted nor audited.
    assert statuses == [401] * 6
    assert actions == ["account.create_user"] + ["account.login_failed"] * 5 + ["account.locked"]
    locked = audit_trail(core, username)[-1]
    assert (locked["after"]["address"], locked["after"]["lockouts"]) == ("testclient", 1)
    assert locked["after"]["locked_until"] is not None
    assert locked["after"]["account_locked_until"] is None
    assert verify_chain(core.engine).intact


def test_an_unknown_user_name_leaves_no_audit_entry(
    app_client: TestClient, core: InvoicingCore
) -> None:
    attempt = {"username": "nobody-at-all", "password": "Wrong@2026!"}
    assert app_client.post("/api/v1/auth/token", json=attempt).status_code == 401
    assert audit_trail(core, "nobody-at-all") == []
