"""Password reset by one-time code through the API, with the code caught by a test sender."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from invoicing_core import InvoicingCore
from invoicing_core.domain.account import Role
from invoicing_core.domain.password_reset import REQUEST_ACCEPTED_MESSAGE
from invoicing_core.persistence.tables import password_reset_codes, users
from invoicing_core.services.reset_code_sender import ResetCodeRecipient
from tests.integration.invoicing_core.company_users import add_user, audit_trail, log_in
from tests.integration.invoicing_core.conftest import Tenant, from_address, new_address

REQUEST = "/api/v1/auth/password-reset"
CONFIRM = "/api/v1/auth/password-reset/confirm"
NEW_PASSWORD = "Fresh@2027!"


class Outbox:
    """A sender that keeps the codes instead of delivering them."""

    def __init__(self) -> None:
        self.sent: list[tuple[ResetCodeRecipient, str]] = []

    def send(self, user: ResetCodeRecipient, code: str) -> None:
        self.sent.append((user, code))

    def last_code(self, username: str) -> str:
        return [code for user, code in self.sent if user.username == username][-1]


class BrokenSender:
    """A sender whose SMS gateway is down."""

    def send(self, user: ResetCodeRecipient, code: str) -> None:
        raise ConnectionError("gateway down")


@pytest.fixture
def outbox(core: InvoicingCore, monkeypatch: pytest.MonkeyPatch) -> Outbox:
    box = Outbox()
    monkeypatch.setattr(core.password_resets, "sender", box)
    return box


@pytest.fixture
def username(core: InvoicingCore, tenant: Tenant) -> str:
    return add_user(core, tenant, Role.ISSUER)


def request_code(client: TestClient, username: str) -> None:
    response = client.post(REQUEST, json={"username": username})
    assert response.status_code == 202, response.text


def confirm(
    client: TestClient, username: str, code: str, password: str = NEW_PASSWORD
) -> dict[str, Any]:
    response = client.post(
        CONFIRM, json={"username": username, "code": code, "new_password": password}
    )
    return {"status": response.status_code, **response.json()}


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_an_unknown_and_a_known_user_get_the_same_answer(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    known = app_client.post(REQUEST, json={"username": username})
    unknown = app_client.post(REQUEST, json={"username": "no-such-user"})

    assert (known.status_code, unknown.status_code) == (202, 202)
    assert known.json() == unknown.json() == {"message": REQUEST_ACCEPTED_MESSAGE}
    assert [user.username for user, _code in outbox.sent] == [username]


def test_the_code_sets_a_new_password_unlocks_and_ends_every_session(
    app_client: TestClient, core: InvoicingCore, outbox: Outbox, username: str
) -> None:
    session = log_in(app_client, username)
    for _ in range(5):
        app_client.post("/api/v1/auth/token", json={"username": username, "password": "x"})
    request_code(app_client, username)

    done = confirm(app_client, username, outbox.last_code(username))

    assert done["status"] == 200
    assert "密码已重置" in done["message"]
    assert app_client.get("/api/v1/invoices", headers=session).status_code == 401
    log_in(app_client, username, NEW_PASSWORD)
    reused = confirm(app_client, username, outbox.last_code(username), "Again@2027!")
    assert (reused["status"], reused["error"]["code"]) == (400, "invalid_reset_code")
    entry = audit_trail(core, username)[-2]  # the last one is the login after the reset
    assert entry["action"] == "account.password_reset"
    assert entry["before"]["locked_addresses"] == 1
    assert entry["after"] == {
        "account_failures": 0,
        "account_locked_until": None,
        "locked_addresses": 0,
        "sessions_ended": 1,
    }


def test_a_wrong_code_is_refused_and_counted_and_the_old_password_still_works(
    app_client: TestClient, core: InvoicingCore, outbox: Outbox, username: str
) -> None:
    request_code(app_client, username)

    refused = confirm(app_client, username, wrong(outbox.last_code(username)))

    assert (refused["status"], refused["error"]["code"]) == (400, "invalid_reset_code")
    assert refused["error"]["field"] == "code"
    assert refused["error"]["message"].startswith("验证码错误或已失效")
    assert audit_trail(core, username)[-1]["action"] == "account.password_reset_failed"
    log_in(app_client, username)


def test_an_unknown_user_gets_the_same_refusal_as_a_wrong_code(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    request_code(app_client, username)
    known = confirm(app_client, username, wrong(outbox.last_code(username)))
    unknown = confirm(app_client, "no-such-user", "123456")
    assert known == unknown


def test_after_five_wrong_codes_even_the_right_one_is_refused(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    request_code(app_client, username)
    code = outbox.last_code(username)
    for _ in range(5):
        assert confirm(app_client, username, wrong(code))["status"] == 400

    assert confirm(app_client, username, code)["error"]["code"] == "invalid_reset_code"
    request_code(app_client, username)
    assert confirm(app_client, username, outbox.last_code(username))["status"] == 200


def test_an_expired_code_is_refused(
    app_client: TestClient, core: InvoicingCore, outbox: Outbox, username: str
) -> None:
    request_code(app_client, username)
    with core.engine.begin() as connection:
        user_id = connection.execute(
            users.select().with_only_columns(users.c.id).where(users.c.username == username)
        ).scalar_one()
        connection.execute(
            update(password_reset_codes)
            .where(password_reset_codes.c.user_id == user_id)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    refused = confirm(app_client, username, outbox.last_code(username))

    assert (refused["status"], refused["error"]["code"]) == (400, "invalid_reset_code")


def test_a_new_code_makes_the_earlier_one_useless(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    request_code(app_client, username)
    first = outbox.last_code(username)
    request_code(app_client, username)
    second = outbox.last_code(username)

    if first != second:
        assert confirm(app_client, username, first)["status"] == 400
    assert confirm(app_client, username, second)["status"] == 200


def test_a_weak_new_password_is_refused_before_the_code_is_spent(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    request_code(app_client, username)
    code = outbox.last_code(username)

    weak = confirm(app_client, username, code, "password")

    assert (weak["status"], weak["error"]["code"]) == (422, "weak_password")
    assert weak["error"]["field"] == "new_password"
    assert confirm(app_client, username, code)["status"] == 200


def test_after_five_codes_in_a_day_no_more_are_sent_but_the_answer_is_the_same(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    for _ in range(3):
        client = from_address(app_client, new_address())
        request_code(client, username)
        request_code(client, username)
    assert len(outbox.sent) == 5


def test_a_stranger_from_one_address_cannot_use_up_a_users_codes(
    app_client: TestClient, outbox: Outbox, username: str
) -> None:
    stranger = from_address(app_client, new_address())
    for _ in range(6):
        request_code(stranger, username)
    assert len(outbox.sent) == 3

    request_code(from_address(app_client, new_address()), username)

    assert len(outbox.sent) == 4


def test_one_address_is_sent_codes_for_at_most_twenty_users_a_day(
    app_client: TestClient, core: InvoicingCore, tenant: Tenant, outbox: Outbox
) -> None:
    sprayer = from_address(app_client, new_address())
    names = [add_user(core, tenant, Role.VIEWER) for _ in range(21)]

    answers = {sprayer.post(REQUEST, json={"username": name}).text for name in names}

    assert len(outbox.sent) == 20
    assert [user.username for user, _code in outbox.sent] == names[:20]
    assert answers == {app_client.post(REQUEST, json={"username": "no-such-user"}).text}


def test_a_failing_sender_still_gets_the_same_answer(
    app_client: TestClient, core: InvoicingCore, monkeypatch: pytest.MonkeyPatch, username: str
) -> None:
    monkeypatch.setattr(core.password_resets, "sender", BrokenSender())
    response = app_client.post(REQUEST, json={"username": username})
    assert (response.status_code, response.json()["message"]) == (202, REQUEST_ACCEPTED_MESSAGE)


def test_the_default_sender_logs_the_code_with_the_user_name(
    app_client: TestClient, caplog: pytest.LogCaptureFixture, username: str
) -> None:
    with caplog.at_level("INFO", logger="invoicing_core.services.reset_code_sender"):
        request_code(app_client, username)
    [record] = [r for r in caplog.records if r.getMessage().startswith("password_reset_code")]
    assert record.levelname == "INFO"
    assert f"username={username}" in record.getMessage()
    assert len(record.reset_code) == 6  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"username": "u", "code": "12345", "new_password": NEW_PASSWORD}, "code"),
        ({"username": "u", "code": "abcdef", "new_password": NEW_PASSWORD}, "code"),
        ({"username": "u", "code": "123456"}, "new_password"),
        ({"code": "123456", "new_password": NEW_PASSWORD}, "username"),
    ],
)
def test_malformed_confirmations_are_refused_naming_the_field(
    app_client: TestClient, body: dict[str, str], field: str
) -> None:
    response = app_client.post(CONFIRM, json=body)
    assert (response.status_code, response.json()["error"]["field"]) == (422, field)
