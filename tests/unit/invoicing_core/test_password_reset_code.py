"""One-time password reset codes: format, lifetime, tries and how many a user is sent."""

from datetime import UTC, datetime, timedelta

from invoicing_core.domain.password_reset import (
    MAX_CODE_TRIES,
    ResetCode,
    invalid_reset_code,
    may_send_another_code,
    new_reset_code,
)

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def test_a_code_is_six_digits_and_codes_differ() -> None:
    codes = {new_reset_code() for _ in range(50)}
    assert all(len(code) == 6 and code.isdigit() for code in codes)
    assert len(codes) > 40


def test_a_code_is_usable_for_ten_minutes() -> None:
    code = ResetCode.issued_at(NOW)
    assert code.is_usable(NOW + timedelta(minutes=9, seconds=59))
    assert not code.is_usable(NOW + timedelta(minutes=10))


def test_the_fifth_wrong_try_burns_the_code() -> None:
    code = ResetCode.issued_at(NOW)
    for _ in range(MAX_CODE_TRIES - 1):
        code = code.after_wrong_try()
        assert code.is_usable(NOW)
    assert not code.after_wrong_try().is_usable(NOW)


def test_a_used_code_cannot_be_used_again() -> None:
    assert not ResetCode(NOW + timedelta(minutes=5), used=True).is_usable(NOW)


def test_a_user_is_sent_at_most_five_codes_a_day() -> None:
    assert may_send_another_code(to_user=4, to_user_from_address=0, from_address=0)
    assert not may_send_another_code(to_user=5, to_user_from_address=0, from_address=0)


def test_one_address_gets_a_user_at_most_three_codes_a_day() -> None:
    assert may_send_another_code(to_user=2, to_user_from_address=2, from_address=2)
    assert not may_send_another_code(to_user=3, to_user_from_address=3, from_address=3)


def test_one_address_gets_at_most_twenty_codes_a_day_for_all_users() -> None:
    assert may_send_another_code(to_user=0, to_user_from_address=0, from_address=19)
    assert not may_send_another_code(to_user=0, to_user_from_address=0, from_address=20)


def test_every_refused_code_gets_one_chinese_message_naming_the_field() -> None:
    refusal = invalid_reset_code()
    assert (refusal.code, refusal.field) == ("invalid_reset_code", "code")
    assert refusal.message.startswith("验证码错误或已失效")
