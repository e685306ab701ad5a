"""Accounts on a real database: users, logging in with lock-out, tokens, the demo seed."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import count

import pytest
from sqlalchemy import Engine

from invoicing_core.demo import DEMO_USERS, seed_demo
from invoicing_core.domain.account import (
    LOGIN_REFUSED_MESSAGE,
    InvalidCredentials,
    NotAuthenticated,
    Role,
    UsernameTaken,
)
from invoicing_core.services.accounts import AccountService

_serial = count(1)
HERE = "192.0.2.1"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def accounts(engine: Engine, clock: Clock) -> AccountService:
    return AccountService(engine, timedelta(hours=12), clock)


@pytest.fixture
def username(accounts: AccountService) -> str:
    n = next(_serial)
    company = accounts.create_company(
        name=f"测试公司{n}", tax_id=f"9142010000000{n:05d}", monthly_quota=Decimal("1000")
    )
    name = f"clerk{n}"
    accounts.create_user(username=name, password="Good@2026!", role=Role.ISSUER, company_id=company)
    return name


def test_the_right_password_gives_a_token_that_names_the_user(
    accounts: AccountService, username: str
) -> None:
    token = accounts.log_in(username, "Good@2026!", HERE)
    principal = accounts.authenticate(token.token)
    assert (principal.username, principal.role) == (username, Role.ISSUER)
    assert principal.company_id is not None


def test_five_wrong_passwords_lock_the_address_out_even_for_the_right_one(
    accounts: AccountService, username: str, clock: Clock
) -> None:
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            accounts.log_in(username, "Wrong@2026!", HERE)
    with pytest.raises(InvalidCredentials):
        accounts.log_in(username, "Good@2026!", HERE)
    assert accounts.log_in(username, "Good@2026!", "192.0.2.2").token
    clock.now += timedelta(minutes=15)
    assert accounts.log_in(username, "Good@2026!", HERE).token


def test_a_right_password_resets_the_count_of_wrong_ones(
    accounts: AccountService, username: str
) -> None:
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            accounts.log_in(username, "Wrong@2026!", HERE)
    accounts.log_in(username, "Good@2026!", HERE)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            accounts.log_in(username, "Wrong@2026!", HERE)
    assert accounts.log_in(username, "Good@2026!", HERE).token


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(
    accounts: AccountService,
) -> None:
    with pytest.raises(InvalidCredentials) as raised:
        accounts.log_in("nobody-here", "Wrong@2026!", HERE)
    assert raised.value.message == LOGIN_REFUSED_MESSAGE


@pytest.mark.parametrize("token", ["", "forged", "x" * 500])
def test_a_forged_token_is_refused(accounts: AccountService, token: str) -> None:
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(token)


def test_an_expired_token_is_refused(accounts: AccountService, username: str, clock: Clock) -> None:
    token = accounts.log_in(username, "Good@2026!", HERE)
    clock.now += timedelta(hours=12)
    with pytest.raises(NotAuthenticated):
        accounts.authenticate(token.token)


def test_a_user_name_is_taken_once(accounts: AccountService, username: str) -> None:
    with pytest.raises(UsernameTaken):
        accounts.create_user(
            username=username, password="Other@2026!", role=Role.VIEWER, company_id=None
        )


def test_the_demo_seed_creates_the_contract_accounts_once(accounts: AccountService) -> None:
    # Other tests of the session may have seeded already; either way, a second run adds nothing.
    seed_demo(accounts)
    assert seed_demo(accounts) == []
    assert accounts.company_id_by_tax_id("91420100MA4K5R3T13") is not None
    for name, password, role, _display in DEMO_USERS:
        assert accounts.authenticate(accounts.log_in(name, password, HERE).token).role is role
