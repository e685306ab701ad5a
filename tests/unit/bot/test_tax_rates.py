"""Tax rates in words become the API's values; rates the API refuses are not guessed."""

from __future__ import annotations

import pytest
from actions.tax_rates import NotATaxRate, find_tax_rate, parse_tax_rate


@pytest.mark.parametrize(
    ("typed", "rate"),
    [
        ("6%", "6%"),
        ("6％", "6%"),
        ("百分之六", "6%"),
        ("13个点", "13%"),
        ("十三个点", "13%"),
        ("9个税点", "9%"),
        ("百分之十三", "13%"),
        ("税率6%", "6%"),
        ("按13%算", "13%"),
        ("税率是九", "9%"),
        ("0.06", "6%"),
        ("3", "3%"),
        ("免税", "免税"),
        ("免征增值税", "免税"),
        ("不征税", "不征税"),
        ("零税率", "0%"),
    ],
)
def test_rates_in_words_become_api_values(typed: str, rate: str) -> None:
    assert parse_tax_rate(typed) == rate


@pytest.mark.parametrize("typed", ["7%", "百分之八", "6.5%", "开张票"])
def test_rates_the_api_would_refuse_are_not_accepted(typed: str) -> None:
    assert find_tax_rate(typed) is None
    with pytest.raises(NotATaxRate):
        parse_tax_rate(typed)
