"""Numbers as clerks type them: Chinese numerals, Arabic digits and a mix of both.

Standard library only, so the parsers can be unit-tested outside Rasa's environment.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "俩": 2,
    "三": 3, "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6,
    "七": 7, "柒": 7, "八": 8, "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "w": 10**4, "W": 10**4, "亿": 10**8, "億": 10**8}
UNITS = {**SMALL_UNITS, **BIG_UNITS}
NUMERAL_CHARS = "".join(DIGITS) + "".join(UNITS) + "点"
ZEROS = {"零", "〇"}
POINT = "点"
ZERO_MARK = "零"

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[" + re.escape(NUMERAL_CHARS) + r"]")


class NotANumber(ValueError):
    """The text holds no number this module can read."""


def parse_number(text: str) -> Decimal:
    """Read "一万二", "1.2万", "2万5", "三千五百", "一点五", "10600" and the like."""
    tokens = _tokens(text.replace(",", "").replace("，", "").strip())
    if not tokens:
        raise NotANumber(text)
    return _evaluate(tokens)


def _tokens(text: str) -> list[Decimal | str]:
    """Arabic numbers and Chinese digit runs become Decimals; units stay strings."""
    pieces = _TOKEN.findall(text)
    if "".join(pieces) != re.sub(r"\s+", "", text):
        raise NotANumber(text)
    tokens: list[Decimal | str] = []
    index = 0
    while index < len(pieces):
        piece = pieces[index]
        if piece in ZEROS and (index == 0 or pieces[index - 1] in UNITS):
            tokens.append(ZERO_MARK)  # 一万零二: the zero only says a unit was skipped
            index += 1
        elif piece in DIGITS or piece[0].isdigit():
            value, index = _read_run(pieces, index)
            tokens.append(value)
        else:
            tokens.append(piece)
            index += 1
    return tokens


def _read_run(pieces: list[str], index: int) -> tuple[Decimal, int]:
    """A run of digits, with an optional 点 and decimals: 一点二 → 1.2, 一零六 → 106."""
    whole = ""
    while index < len(pieces) and (pieces[index] in DIGITS or pieces[index][0].isdigit()):
        whole += _digit_text(pieces[index])
        index += 1
    fraction = ""
    if index + 1 < len(pieces) and pieces[index] == "点" and pieces[index + 1] in DIGITS:
        index += 1
        while index < len(pieces) and pieces[index] in DIGITS:
            fraction += str(DIGITS[pieces[index]])
            index += 1
    try:
        return Decimal(f"{whole}.{fraction}" if fraction else whole), index
    except InvalidOperation as exc:
        raise NotANumber(whole) from exc


def _digit_text(piece: str) -> str:
    return str(DIGITS[piece]) if piece in DIGITS else piece


def _evaluate(tokens: list[Decimal | str]) -> Decimal:
    """Positional reading with the clerk's shorthand for a trailing digit (一万二 = 12000)."""
    total = Decimal(0)
    section = Decimal(0)
    number: Decimal | None = None
    last_unit = 0
    zero_seen = False
    for token in tokens:
        if isinstance(token, Decimal):
            number = token
            continue
        if token == ZERO_MARK:
            zero_seen = True
            continue
        if token == POINT:
            raise NotANumber(POINT)
        unit = UNITS[token]
        if token in SMALL_UNITS:
            section += (Decimal(1) if number is None else number) * unit
        elif unit >= 10**8:
            total = (total + section + (number or 0)) * unit
            section = Decimal(0)
        else:
            total += (section + (number or 0)) * unit
            section = Decimal(0)
        number, last_unit, zero_seen = None, unit, False
    if number is not None and number != 0:
        total += section + _trailing(number, last_unit, zero_seen)
    else:
        total += section
    return total


def _trailing(number: Decimal, last_unit: int, zero_seen: bool) -> Decimal:
    """A bare digit right after a unit counts one unit lower: 八千八 = 8800, 2万5 = 25000."""
    if last_unit >= 10 and not zero_seen and number < 10 and number == int(number):
        return number * (last_unit // 10)
    return number
