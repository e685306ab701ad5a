"""Password policy and lock-out rules of accounts."""

from datetime import UTC, datetime, timedelta

import pytest

from invoicing_core.domain.account import (
    AccountLocked,
    LoginState,
    WeakPassword,
    check_password_policy,
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


def test_the_fifth_wrong_password_in_a_row_locks_the_account_for_15_minutes() -> None:
    state = LoginState()
    for attempt in range(1, 5):
        state = state.after_failure(NOW)
        assert (state.failed_logins, state.locked_until) == (attempt, None)
        state.check_unlocked(NOW)
    state = state.after_failure(NOW)
    assert state.locked_until == NOW + timedelta(minutes=15)
    with pytest.raises(AccountLocked) as raised:
        state.check_unlocked(NOW + timedelta(minutes=14, seconds=1))
    assert "请1分钟后再试" in raised.value.message
    state.check_unlocked(NOW + timedelta(minutes=15))


def test_each_wrong_password_says_how_many_tries_are_left() -> None:
    assert LoginState().after_failure(NOW).failure_message() == "用户名或密码错误，还可以再试4次。"
    locked = LoginState(4).after_failure(NOW)
    assert locked.failure_message() == "连续输错密码5次，账户已锁定15分钟。"
