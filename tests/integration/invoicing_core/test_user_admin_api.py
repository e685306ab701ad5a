"""GET /api/v1/users and PATCH /api/v1/users/{username}: an admin manages the company's users."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from tests.integration.invoicing_core.company_users import add_user, audit_trail, log_in
from tests.integration.invoicing_core.conftest import Tenant, make_tenant


@pytest.fixture
def admin(app_client: TestClient, core: InvoicingCore, tenant: Tenant) -> dict[str, str]:
    return log_in(app_client, add_user(core, tenant, Role.ADMIN))


def test_an_admin_lists_the_companys_users_and_only_those(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, admin: dict[str, str]
) -> None:
    make_tenant(app_client, core)

    response = app_client.get("/api/v1/users", headers=admin)

    assert response.status_code == 200, response.text
    users = response.json()["items"]
    assert sorted(user["role"] for user in users) == ["admin", "issuer", "viewer"]
    assert all(
        set(user) == {"username", "display_name", "role", "locked", "created_at"} for user in users
    )
    assert not any(user["locked"] for user in users)


def test_an_admin_changes_a_users_role_at_once_and_the_change_is_audited(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, admin: dict[str, str]
) -> None:
    viewer = add_user(core, tenant, Role.VIEWER)
    viewer_session = log_in(app_client, viewer)

    response = app_client.patch(f"/api/v1/users/{viewer}", json={"role": "issuer"}, headers=admin)

    assert response.status_code == 200, response.text
    assert (response.json()["username"], response.json()["role"]) == (viewer, "issuer")
    # The role is read with every request, so the open session may issue right away.
    me = core.accounts.authenticate(viewer_session["Authorization"].removeprefix("Bearer "))
    assert me.role is Role.ISSUER
    change = audit_trail(core, viewer)[-1]
    assert change["action"] == "account.change_role"
    assert change["actor"].startswith("admin-")
    assert (change["before"], change["after"]) == ({"role": "viewer"}, {"role": "issuer"})


def test_the_last_admin_cannot_demote_themselves_but_may_once_there_is_another(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    me = add_user(core, tenant, Role.ADMIN)
    headers = log_in(app_client, me)

    refused = app_client.patch(f"/api/v1/users/{me}", json={"role": "issuer"}, headers=headers)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "last_admin"
    assert "至少需要保留一名管理员" in refused.json()["error"]["message"]

    other = add_user(core, tenant, Role.VIEWER)
    promoted = app_client.patch(f"/api/v1/users/{other}", json={"role": "admin"}, headers=headers)
    assert promoted.status_code == 200
    demoted = app_client.patch(f"/api/v1/users/{me}", json={"role": "issuer"}, headers=headers)
    assert (demoted.status_code, demoted.json()["role"]) == (200, "issuer")


@pytest.mark.parametrize("who", ["issuer", "viewer"])
def test_users_who_are_not_admins_may_not_list_or_change_users(
    app_client: TestClient, tenant: Tenant, who: str
) -> None:
    headers = getattr(tenant, who)
    listing = app_client.get("/api/v1/users", headers=headers)
    change = app_client.patch(
        f"/api/v1/users/{who}{tenant.company_id}", json={"role": "admin"}, headers=headers
    )
    for response in (listing, change):
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "forbidden"
        assert response.json()["error"]["message"] == "只有企业管理员可以管理用户。"


def test_an_agent_may_not_manage_users(app_client: TestClient, core: InvoicingCore) -> None:
    agent = log_in(app_client, add_user(core, None, Role.AGENT))
    assert app_client.get("/api/v1/users", headers=agent).status_code == 403


def test_another_companys_admin_does_not_find_the_user(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    stranger = make_tenant(app_client, core)
    stranger_admin = log_in(app_client, add_user(core, stranger, Role.ADMIN))
    victim = add_user(core, tenant, Role.VIEWER)

    response = app_client.patch(
        f"/api/v1/users/{victim}", json={"role": "admin"}, headers=stranger_admin
    )

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "user_not_found"
    assert audit_trail(core, victim)[-1]["action"] == "account.create_user"


@pytest.mark.parametrize(
    ("body", "code"),
    [({"role": "agent"}, "invalid_input"), ({"role": "boss"}, None), ({}, None)],
)
def test_a_role_that_is_not_a_company_role_is_refused(
    app_client: TestClient,
    core: InvoicingCore,
    tenant: Tenant,
    admin: dict[str, str],
    body: dict[str, str],
    code: str | None,
) -> None:
    viewer = add_user(core, tenant, Role.VIEWER)
    response = app_client.patch(f"/api/v1/users/{viewer}", json=body, headers=admin)
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "role"
    if code:
        assert response.json()["error"]["code"] == code


def test_managing_users_needs_a_login(app_client: TestClient) -> None:
    response = app_client.get("/api/v1/users")
    assert (response.status_code, response.json()["error"]["code"]) == (401, "not_authenticated")


def test_two_admins_demoting_each_other_at_once_leave_the_company_one_admin(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant
) -> None:
    first, second = (add_user(core, tenant, Role.ADMIN) for _ in range(2))
    sessions = {first: log_in(app_client, first), second: log_in(app_client, second)}

    def demote(pair: tuple[str, str]) -> int:
        actor, target = pair
        response = app_client.patch(
            f"/api/v1/users/{target}", json={"role": "viewer"}, headers=sessions[actor]
        )
        return response.status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(demote, [(first, second), (second, first)]))

    # The loser is either the last admin or no longer an admin at all.
    assert statuses[0] == 200 and statuses[1] in (403, 409)
    roles = [core.accounts.principal_of(name).role for name in (first, second)]
    assert roles.count(Role.ADMIN) == 1
