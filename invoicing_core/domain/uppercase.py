"""The price-tax total in Chinese uppercase numerals (大写金额), as printed on invoices."""

from decimal import Decimal

from invoicing_core.domain.money import round_money

DIGITS = "零壹贰叁肆伍陆柒捌玖"
NEGATIVE_PREFIX = "（负数）"

# Largest unit first: an amount is read as (its part above the unit) + unit + (the rest).
_UNITS = ((10**8, "亿"), (10**4, "万"), (1000, "仟"), (100, "佰"), (10, "拾"))


def uppercase_amount(amount: Decimal) -> str:
    """Write an amount as printed on invoices, e.g. 1409.50 → 壹仟肆佰零玖圆伍角."""
    cents = int(round_money(amount) * 100)
    if cents < 0:
        return NEGATIVE_PREFIX + uppercase_amount(Decimal(-cents) / 100)
    yuan, fraction = divmod(cents, 100)
    jiao, fen = divmod(fraction, 10)
    if yuan == 0 and fraction == 0:
        return "零圆整"
    head = _read_integer(yuan) + "圆" if yuan else ""
    if fraction == 0:
        return head + "整"
    return head + _read_fraction(jiao, fen, after_yuan=yuan > 0, yuan_ends_in_zero=yuan % 10 == 0)


def _read_integer(number: int) -> str:
    for size, unit in _UNITS:
        if number >= size:
            high, low = divmod(number, size)
            return _read_integer(high) + unit + _read_rest(low, size)
    return DIGITS[number]


def _read_rest(low: int, size: int) -> str:
    """Read what follows a unit; a gap of zeros before it is read as one 零."""
    if low == 0:
        return ""
    gap = "零" if low < size // 10 else ""
    return gap + _read_integer(low)


def _read_fraction(jiao: int, fen: int, *, after_yuan: bool, yuan_ends_in_zero: bool) -> str:
    # The accounting convention writes 零 where a zero digit sits between 圆 and the
    # first non-zero fraction digit: 107000.53 → …圆零伍角叁分, 10.05 → …圆零伍分.
    zero = "零" if after_yuan and (yuan_ends_in_zero or jiao == 0) else ""
    jiao_text = DIGITS[jiao] + "角" if jiao else ""
    fen_text = DIGITS[fen] + "分" if fen else ""
    return zero + jiao_text + fen_text
