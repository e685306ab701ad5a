"""Tax rates as users type them: "6%", "百分之六", "13个点", "免税", "零税率".

Standard library only, so it can be unit-tested outside Rasa's environment.
The app validates the rate again; this only turns words into the API's value.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

from actions.numerals import NotANumber, parse_number

# The values POST /invoices accepts (invoicing-rules.md: general, levy and
# small-scale rates, and the two marks).
RATES = ("13%", "9%", "6%", "5%", "3%", "1%", "0%")
MARKS = ("免税", "不征税")
_MARK_WORDS = {"免税": "免税", "免征": "免税", "不征税": "不征税", "不征": "不征税"}
_ZERO_WORDS = ("零税率", "0税率", "零税")
_NUMBER = r"([\d.]+|[零〇一二两三四五六七八九十壹贰叁伍陆柒捌玖拾]+)"
_PATTERNS = (
    re.compile(r"百分之\s*" + _NUMBER),
    re.compile(_NUMBER + r"\s*(?:%|个点|个税点|点税|个百分点)"),
    re.compile(r"税率\s*(?:是|为|按|:)?\s*" + _NUMBER),
)


class NotATaxRate(ValueError):
    """The text holds no tax rate, or one the API would refuse."""


def parse_tax_rate(text: str) -> str:
    """The API's rate value ("6%", "免税", …) named in `text`; raises NotATaxRate."""
    text = unicodedata.normalize("NFKC", text).strip()
    for word, mark in _MARK_WORDS.items():
        if word in text:
            return mark
    if any(word in text for word in _ZERO_WORDS):
        return "0%"
    percent = _percent(text)
    if percent is None:
        raise NotATaxRate(text)
    return _as_rate(percent, text)


def find_tax_rate(text: str) -> str | None:
    """The rate in a free answer, or None."""
    try:
        return parse_tax_rate(text)
    except NotATaxRate:
        return None


def _percent(text: str) -> Decimal | None:
    for pattern in _PATTERNS:
        match = pattern.search(text)
        if match:
            return _number(match.group(1))
    if re.fullmatch(r"0?\.\d+", text):  # 0.06
        return Decimal(text) * 100
    if re.fullmatch(_NUMBER, text):  # a bare "6" answering "税率是多少？"
        return _number(text)
    return None


def _number(text: str) -> Decimal | None:
    try:
        return parse_number(text)
    except NotANumber:
        return None


def _as_rate(percent: Decimal, text: str) -> str:
    if percent != percent.to_integral_value():
        raise NotATaxRate(text)
    rate = f"{int(percent)}%"
    if rate not in RATES:
        raise NotATaxRate(text)
    return rate
