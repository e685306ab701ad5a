"""Amounts of money as users type them: "一万二", "1.2万", "12,000元", "三千五百块", "8千".

Standard library only, so it can be unit-tested outside Rasa's environment.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from actions.numerals import DIGITS, NUMERAL_CHARS, NotANumber, parse_number

CENT = Decimal("0.01")
# A run of characters that can make up a number, plus thousands separators.
_RUN = re.compile(r"[\d.,kK" + re.escape(NUMERAL_CHARS) + r"]+")
_CURRENCY_UNIT = re.compile(r"^\s*(元|块|圆|塊)")
_ONE_DIGIT = r"([" + "".join(DIGITS) + r"\d])"
# 角 and 分, with the 零 that uppercase amounts put before a lone 分 (壹圆零壹分).
_JIAO_FEN = re.compile(r"^零?(?:" + _ONE_DIGIT + r"[角毛])?(?:零?" + _ONE_DIGIT + r"分)?")
# An amount under one yuan starts with its 角 or 分 (伍角, 壹分).
_CHANGE_ONLY = re.compile(r"^[角毛分]")
# What follows a number that is not money: a rate, a count of invoices, a date.
_NOT_MONEY_AFTER = re.compile(r"^\s*(%|％|个点|个税点|张|份|行|月|号|日|年|天|位|次|点)")


class NotAnAmount(ValueError):
    """The text holds no amount of money."""


def parse_amount(text: str) -> Decimal:
    """The first amount in `text`, in yuan with two decimals; raises NotAnAmount."""
    found = _amounts(_normalise(text))
    if not found:
        raise NotAnAmount(text)
    return found[0]


def find_amount(text: str) -> Decimal | None:
    """The amount in a free answer ("一万二吧", "金额改成8000"), or None."""
    try:
        return parse_amount(text)
    except NotAnAmount:
        return None


# An amount written at the very end of a phrase: "技术服务费一千元", "咨询费8000".
_TRAILING = re.compile(r"(?P<run>[\d.,kK" + re.escape(NUMERAL_CHARS) + r"]+)\s*(元|块|圆)?$")


def split_trailing_amount(text: str) -> tuple[str, Decimal | None]:
    """ "技术服务费一千元" → ("技术服务费", 1000.00); text without one → (text, None)."""
    found = _TRAILING.search(_normalise(text).strip())
    if found is None or found.start() == 0:
        return text, None
    amount = find_amount(found.group())
    if amount is None or amount <= 0:
        return text, None
    return _normalise(text).strip()[: found.start()].rstrip("，, "), amount


def format_yuan(amount: Decimal) -> str:
    """ "12,000.00" style, as invoices print money."""
    return f"{amount.quantize(CENT, ROUND_HALF_UP):,.2f}"


def _normalise(text: str) -> str:
    # Full-width digits and signs (１２，０００) become ASCII.
    return unicodedata.normalize("NFKC", text)


def _amounts(text: str) -> list[Decimal]:
    amounts = []
    for match in _RUN.finditer(text):
        run = match.group().strip(".,")
        rest = text[match.end() :]
        if not run or _NOT_MONEY_AFTER.match(rest) or _looks_like_identifier(run):
            continue
        if _inside_a_code(text, match.start(), match.end()):
            continue
        if _CHANGE_ONLY.match(rest) and len(run) == 1:
            amounts.append(_change(text[match.start() :]))
            continue
        if _is_stray_digit(run) and not _CURRENCY_UNIT.match(rest):
            continue
        value = _value(run)
        if value is None:
            continue
        amounts.append((value + _small_change(rest)).quantize(CENT, ROUND_HALF_UP))
    return amounts


def _value(run: str) -> Decimal | None:
    run = run.replace("k", "千").replace("K", "千")
    if run in {"点", "零"} or not any(ch.isdigit() or ch in DIGITS for ch in run):
        return None
    try:
        return parse_number(run)
    except NotANumber:
        return None


def _small_change(rest: str) -> Decimal:
    """角 and 分 after 元: 五元五角 → 0.5."""
    unit = _CURRENCY_UNIT.match(rest)
    if not unit:
        return Decimal(0)
    return _change(rest[unit.end() :])


def _change(text: str) -> Decimal:
    """The 角 and 分 at the start of `text` (伍角, 零壹分, 壹角壹分), in yuan."""
    change = _JIAO_FEN.match(text)
    if not change:
        return Decimal(0)
    jiao, fen = (_digit(group) for group in change.groups())
    return Decimal(jiao) / 10 + Decimal(fen) / 100


def _digit(text: str | None) -> int:
    if not text:
        return 0
    return DIGITS[text] if text in DIGITS else int(text)


def _inside_a_code(text: str, start: int, end: int) -> bool:
    """Digits glued to Latin letters belong to a code (91420106MA49X8Q2Y7, HT-2026)."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return bool(re.match(r"[A-Za-z\-_]", before) or re.match(r"[A-Za-z]", after))


def _is_stray_digit(run: str) -> bool:
    """一 in 一共, 一下, 统一: a lone Chinese digit is a word, not an amount."""
    return len(run) == 1 and run in DIGITS


def _looks_like_identifier(run: str) -> bool:
    """Invoice numbers and taxpayer ids are long digit strings, never amounts."""
    digits = re.sub(r"\D", "", run)
    return len(digits) >= 13 and "," not in run and "." not in run
