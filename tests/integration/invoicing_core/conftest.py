"""A running app on the test database and companies with their users, for API tests."""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import count

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings, InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.tax_id import check_character
from invoicing_core.persistence.numbers import add_paper_stock

PASSWORD = "Test@2026!"
_serial = count(1)


@dataclass(frozen=True)
class Tenant:
    """A company with an issuer and a viewer, logged in."""

    company_id: int
    tax_id: str
    issuer: dict[str, str]
    viewer: dict[str, str]


@pytest.fixture(scope="module")
def app_client(database_url: str, engine: Engine) -> Iterator[TestClient]:
    app = create_app(AppSettings(log_json=False), CoreSettings(database_url=database_url))
    with TestClient(app) as client:
        yield client


def from_address(client: TestClient, address: str) -> TestClient:
    """Another client of the running app behind `client`, connecting from `address`."""
    other = TestClient(client.app, client=(address, 50000))
    other.portal = client.portal  # the app's event loop, opened by `client`
    return other


_addresses = count(1)


def new_address() -> str:
    """A client address no test has used yet (IPv6 documentation range)."""
    return f"2001:db8::{next(_addresses):x}"


@pytest.fixture(scope="module")
def core(app_client: TestClient) -> InvoicingCore:
    opened: InvoicingCore = app_client.app.state.invoicing_core  # type: ignore[attr-defined]
    return opened


def valid_tax_id(n: int) -> str:
    """A well-formed unified social credit code that passes its check character."""
    body = f"91420100MA{n:07d}"
    return body + check_character(body)


def _log_in(client: TestClient, username: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def make_tenant(client: TestClient, core: InvoicingCore, quota: str = "1000000") -> Tenant:
    """A new company with paper stock of both kinds and two users."""
    n = next(_serial) + 1000 * (id(core) % 1000)
    tax_id = valid_tax_id(n)
    company_id = core.accounts.create_company(
        name=f"武汉测试{n}有限公司", tax_id=tax_id, monthly_quota=Decimal(quota)
    )
    with core.engine.begin() as connection:
        for digit, kind in enumerate([InvoiceKind.PAPER_SPECIAL, InvoiceKind.PAPER_GENERAL], 1):
            add_paper_stock(connection, company_id, kind, f"42002{digit}{n % 10000:04d}", 1, 50)
    for role in (Role.ISSUER, Role.VIEWER):
        core.accounts.create_user(
            username=f"{role.value}{n}", password=PASSWORD, role=role, company_id=company_id
        )
    return Tenant(company_id, tax_id, _log_in(client, f"issuer{n}"), _log_in(client, f"viewer{n}"))


@pytest.fixture
def tenant(app_client: TestClient, core: InvoicingCore) -> Tenant:
    return make_tenant(app_client, core)
