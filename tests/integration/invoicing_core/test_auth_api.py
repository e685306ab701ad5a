"""POST /api/v1/auth/token through the app."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from channels.app import create_app
from channels.settings import AppSettings
from invoicing_core import CoreSettings
from invoicing_core.demo import seed_demo
from invoicing_core.services.accounts import AccountService


@pytest.fixture
def client(database_url: str, engine: object) -> Iterator[TestClient]:
    app = create_app(AppSettings(log_json=False), CoreSettings(database_url=database_url))
    with TestClient(app) as test_client:
        accounts: AccountService = app.state.invoicing_core.accounts
        seed_demo(accounts)
        yield test_client


def test_the_demo_user_logs_in_with_the_contract_password(client: TestClient) -> None:
    response = client.post(
        "/api/v1/auth/token", json={"username": "demo", "password": "Demo@2026!"}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) >= 32


def test_a_wrong_password_is_401_in_chinese(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "admin", "password": "nope"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert response.json()["error"]["message"].startswith("用户名或密码错误")


def test_a_login_without_a_password_names_the_field(client: TestClient) -> None:
    response = client.post("/api/v1/auth/token", json={"username": "demo"})
    assert response.status_code == 422
    assert response.json()["error"]["field"] == "password"
