"""Printed values read into recognition's normal form, and nothing guessed."""

import pytest

from invoicing_core.recognition import values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("¥1130.00", "1130.00"),
        ("￥-1,130.00", "-1130.00"),
        ("¥-87.5", None),  # one decimal: not an amount as invoices print it
        ("合计 ¥1000.00 ¥130.00", "1000.00"),
        ("Y88.00", "88.00"),
        ("1O00.00", "0.00"),  # the O is not taken for a 0: only the digits after it read
    ],
)
def test_money(text: str, expected: str | None) -> None:
    assert values.money(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("开票日期：2026年03月10日", "2026-03-10"),
        ("2026-3-9", "2026-03-09"),
        ("20260310", "2026-03-10"),
        ("2026年02月30日", None),
    ],
)
def test_issue_date(text: str, expected: str | None) -> None:
    assert values.issue_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("13%", "0.13"), ("6 %", "0.06"), ("0%", "0.00"), ("免税", "免税"), ("12%", None)],
)
def test_rate(text: str, expected: str | None) -> None:
    assert values.rate(text) == expected


def test_tax_id_is_upper_cased_and_uppercase_total_keeps_the_negative_prefix() -> None:
    assert values.tax_id("：９１４２０１００ma4k5r3t13") == "91420100MA4K5R3T13"
    assert values.uppercase("⊗(负数)壹仟壹佰叁拾圆整") == "（负数）壹仟壹佰叁拾圆整"
    assert values.plain("2.000") == "2" and values.plain("x2") is None


def test_a_total_in_words_alone_is_told_from_a_remark() -> None:
    assert values.is_uppercase("⊗（负数）陆拾叁万柒仟捌佰壹拾圆零肆分")
    assert values.is_uppercase("捌佰捌拾伍万叁仟陆佰壹拾壹圆陆角伍分")
    assert not values.is_uppercase("含运费")
    assert not values.is_uppercase("合同编号：HT-1 壹万圆整")
