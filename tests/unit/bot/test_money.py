"""Amounts as clerks type them become yuan with two decimals."""

from __future__ import annotations

from decimal import Decimal

import pytest
from actions.money import (
    NotAnAmount,
    find_amount,
    format_yuan,
    parse_amount,
    split_trailing_amount,
)


@pytest.mark.parametrize(
    ("typed", "yuan"),
    [
        ("一万二", "12000.00"),
        ("1.2万", "12000.00"),
        ("12,000元", "12000.00"),
        ("10600元", "10600.00"),
        ("三千五百块", "3500.00"),
        ("8千", "8000.00"),
        ("两千五", "2500.00"),
        ("八千八", "8800.00"),
        ("2万5", "25000.00"),
        ("8万6", "86000.00"),
        ("1万2千", "12000.00"),
        ("一万零五百", "10500.00"),
        ("一万零二", "10002.00"),
        ("二十三万", "230000.00"),
        ("十二万", "120000.00"),
        ("壹万元", "10000.00"),
        ("伍仟元整", "5000.00"),
        ("七百五十元", "750.00"),
        ("12.5万", "125000.00"),
        ("20w", "200000.00"),
        ("10k", "10000.00"),
        ("一点五万", "15000.00"),
        ("98000.50", "98000.50"),
        ("¥10,600.00", "10600.00"),
        ("１２，０００元", "12000.00"),
        ("五元五角", "5.50"),
        ("3800块钱", "3800.00"),
        ("一亿二千万", "120000000.00"),
    ],
)
def test_typed_amounts_are_read_as_clerks_mean_them(typed: str, yuan: str) -> None:
    assert parse_amount(typed) == Decimal(yuan)


@pytest.mark.parametrize(
    ("message", "yuan"),
    [
        ("不对，金额是8000", "8000.00"),
        ("金额改成一万二", "12000.00"),
        ("一共468元", "468.00"),
        ("开一张专票，金额5000", "5000.00"),
        ("税率6%，金额10600元", "10600.00"),
        ("含税价33900", "33900.00"),
    ],
)
def test_the_amount_is_found_in_a_sentence(message: str, yuan: str) -> None:
    assert find_amount(message) == Decimal(yuan)


@pytest.mark.parametrize(
    "message",
    ["统一开一下", "开100张票", "6%", "13个点", "26421000000000000001", "91420106MA49X8Q2Y7", ""],
)
def test_rates_counts_and_identifiers_are_not_amounts(message: str) -> None:
    assert find_amount(message) is None


def test_a_message_without_an_amount_is_refused() -> None:
    with pytest.raises(NotAnAmount):
        parse_amount("帮我开张票")


def test_amounts_print_with_thousands_separators() -> None:
    assert format_yuan(Decimal("12000")) == "12,000.00"


@pytest.mark.parametrize(
    ("phrase", "item", "yuan"),
    [
        ("技术服务费一千元", "技术服务费", "1000.00"),
        ("咨询费8000", "咨询费", "8000.00"),
        ("软件开发服务1.2万", "软件开发服务", "12000.00"),
        ("技术服务费", "技术服务费", None),
        ("A4纸", "A4纸", None),
        ("8000", "8000", None),  # all amount, no item: left as it is
    ],
)
def test_an_amount_at_the_end_of_an_item_is_split_off(
    phrase: str, item: str, yuan: str | None
) -> None:
    name, amount = split_trailing_amount(phrase)
    assert (name, None if amount is None else str(amount)) == (item, yuan)
