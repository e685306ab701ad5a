"""Password policy and lock-out rules of accounts."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from invoicing_core.domain.account import (
    LoginState,
    WeakPassword,
    check_password_policy,
    login_refused,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("password", ["Demo@2026!", "a1!aaaaa", "密码Abc123#"])
def test_a_password_with_letters_digits_and_a_special_character_is_accepted(password: str) -> None:
    check_password_policy(password)


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("a1!", "密码长度须为8到128位。"),
        ("abcdefgh1", "密码须同时包含字母、数字和特殊字符。"),
        ("abcdefgh!", "密码须同时包含字母、数字和特殊字符。"),
        ("12345678!", "密码须同时包含字母、数字和特殊字符。"),
        ("abc 1234 ", "密码须同时包含字母、数字和特殊字符。"),
    ],
)
def test_a_weak_password_is_refused_with_the_rule_it_breaks(password: str, message: str) -> None:
    with pytest.raises(WeakPassword) as raised:
        check_password_policy(password)
    assert (raised.value.message, raised.value.field) == (message, "password")


def failures(times: int, state: LoginState | None = None, at: datetime = NOW) -> LoginState:
    """`state` after `times` wrong passwords, none of them while locked out."""
    state = state or LoginState()
    for _ in range(times):
        assert not state.is_locked(at)
        state = state.after_failure(at)
    return state


def elsewhere(state: LoginState) -> LoginState:
    """The same account as seen from an address that has not tried it yet."""
    return replace(
        LoginState(), **{k: v for k, v in vars(state).items() if k.startswith("account")}
    )


def test_five_wrong_passwords_from_one_address_lock_it_out_for_15_minutes() -> None:
    four = failures(4)
    assert (four.failed_logins, four.is_locked(NOW)) == (4, False)

    locked = four.after_failure(NOW)

    assert locked.locked_until == NOW + timedelta(minutes=15)
    assert locked.is_locked(NOW + timedelta(minutes=14, seconds=59))
    assert not locked.is_locked(NOW + timedelta(minutes=15))
    # The account as a whole is not locked: that takes many addresses.
    assert locked.account_locked_until is None


def test_each_further_lock_out_of_an_address_lasts_twice_as_long_up_to_a_day() -> None:
    state, at, lasted = LoginState(), NOW, []
    for _ in range(9):
        # Spread out, so that the account-wide count never adds up.
        state = failures(5, state, at)
        assert state.locked_until is not None
        lasted.append(state.locked_until - at)
        at = state.locked_until

    assert [round(d / timedelta(minutes=1)) for d in lasted] == [
        15,
        30,
        60,
        120,
        240,
        480,
        960,
        1440,
        1440,
    ]


def test_the_right_password_clears_the_address_but_not_the_accounts_count() -> None:
    state = failures(4).after_success()
    assert (state.failed_logins, state.lockouts, state.locked_until) == (0, 0, None)
    assert state.account_failures == 4


def test_fifty_wrong_passwords_within_15_minutes_lock_the_account_for_everyone() -> None:
    state = LoginState()
    for minute in range(9):
        state = failures(5, elsewhere(state), NOW + timedelta(minutes=minute))
    state = failures(4, elsewhere(state), NOW + timedelta(minutes=9))
    assert (state.account_failures, state.account_locked_until) == (49, None)

    at = NOW + timedelta(minutes=10)
    state = elsewhere(state).after_failure(at)

    assert state.account_locked_until == at + timedelta(minutes=15)
    assert elsewhere(state).is_locked(at + timedelta(minutes=14, seconds=59))
    assert not elsewhere(state).is_locked(at + timedelta(minutes=15))


def test_wrong_passwords_more_than_15_minutes_apart_do_not_add_up_for_the_account() -> None:
    state = LoginState(account_failures=49, account_window_start=NOW)

    later = state.after_failure(NOW + timedelta(minutes=15))

    assert (later.account_failures, later.account_locked_until) == (1, None)
    assert later.account_window_start == NOW + timedelta(minutes=15)


def test_every_refused_login_gets_one_chinese_answer_naming_the_password() -> None:
    refusal = login_refused()
    assert (refusal.code, refusal.field) == ("invalid_credentials", "password")
    assert refusal.message == (
        "用户名或密码错误，或账户因多次输错已暂时锁定。请稍后再试，或联系管理员解锁。"
    )
