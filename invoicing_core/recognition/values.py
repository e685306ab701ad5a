"""Reading printed values into the normalised form recognition reports.

Each reader returns None when the text does not hold such a value; none of them
guesses a misread character back (an O is not taken for a 0): what cannot be read
as printed is reported as not read.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from invoicing_core.domain.errors import InvalidTaxRate
from invoicing_core.domain.money import format_money
from invoicing_core.domain.tax_id import normalise_tax_id
from invoicing_core.domain.tax_rate import TaxRate
from invoicing_core.pdf.text import plain_number
from invoicing_core.recognition.text_lines import compact

# Minus signs as printed or read: ASCII, the Unicode minus and the full-width one (NFKC'd).
_MONEY = re.compile(
    r"(?<![0-9.])([-−]?)[¥￥Y]?([-−]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)\.([0-9]{2})(?![0-9])"
)
_NUMBER = re.compile(r"^-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)$")
_DATE = re.compile(
    r"(20[0-9]{2}|19[0-9]{2})\s*[年\-./]\s*([0-9]{1,2})\s*[月\-./]\s*([0-9]{1,2})\s*日?"
)
_COMPACT_DATE = re.compile(r"(?<![0-9])(20[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])")
_TAX_ID = re.compile(r"(?<![0-9A-Z])([0-9A-Z]{18}|[0-9A-Z]{15}|[0-9A-Z]{20})(?![0-9A-Z])")
_RATE = re.compile(r"(?<![0-9.])([0-9]{1,2}(?:\.[0-9]+)?)\s*%|(?<![0-9.])(0\.[0-9]{1,2})(?![0-9])")
_UPPERCASE = re.compile(r"(?:[(（]负数[)）])?[零壹贰叁肆伍陆柒捌玖拾佰仟万亿圆元角分整正]+")
_DIGITS = re.compile(r"[0-9]+")


def money(text: str) -> str | None:
    """The first amount of money in a text ("¥-1,130.00" → "-1130.00")."""
    found = _MONEY.search(compact(text))
    if found is None:
        return None
    sign = "-" if found.group(1) or found.group(2) else ""
    return format_money(Decimal(f"{sign}{found.group(3).replace(',', '')}.{found.group(4)}"))


def all_money(text: str) -> list[str]:
    """Every amount of money in a text, left to right."""
    values: list[str] = []
    for found in _MONEY.finditer(compact(text)):
        sign = "-" if found.group(1) or found.group(2) else ""
        amount = Decimal(f"{sign}{found.group(3).replace(',', '')}.{found.group(4)}")
        values.append(format_money(amount))
    return values


def plain(text: str) -> str | None:
    """A quantity or unit price as a plain number ("2.000" → "2"), or None."""
    candidate = compact(text).replace(",", "").replace("−", "-")
    if not _NUMBER.match(candidate):
        return None
    try:
        return plain_number(Decimal(candidate))
    except InvalidOperation:
        return None


def issue_date(text: str) -> str | None:
    """A date as "YYYY-MM-DD" from "2026年03月10日", "2026-03-10" or "20260310"."""
    key = compact(text)
    found = _DATE.search(key)
    parts = found.groups() if found else None
    if parts is None:
        compact_found = _COMPACT_DATE.search(key)
        parts = compact_found.groups() if compact_found else None
    if parts is None:
        return None
    try:
        return date(int(parts[0]), int(parts[1]), int(parts[2])).isoformat()
    except ValueError:
        return None


def tax_id(text: str) -> str | None:
    """A taxpayer id (18, 15 or 20 characters of digits and capitals), upper-cased."""
    found = _TAX_ID.search(normalise_tax_id(text))
    return found.group(1) if found else None


def rate(text: str) -> str | None:
    """A rate as a fraction ("13%" → "0.13"), or the exempt and non-taxable marks."""
    key = compact(text)
    for mark in ("免税", "不征税"):
        if mark in key:
            return mark
    found = _RATE.search(key)
    if found is None:
        return None
    try:
        parsed = TaxRate.parse(f"{found.group(1)}%" if found.group(1) else found.group(2))
    except InvalidTaxRate:
        return None
    return f"{parsed.rate:.2f}"


def uppercase(text: str) -> str | None:
    """The uppercase amount in a text (the longest run of its numerals), or None."""
    key = compact(text).replace("(", "（").replace(")", "）")
    runs = [found.group(0) for found in _UPPERCASE.finditer(key)]
    best = max(runs, key=len, default="")
    return best if len(best) >= 2 else None


def is_uppercase(text: str) -> bool:
    """Whether a text is an uppercase amount and nothing else (its leading ⊗ aside)."""
    key = compact(text).lstrip("⊗ⓧ").replace("(", "（").replace(")", "）")
    return bool(key) and _UPPERCASE.fullmatch(key) is not None


def digits(text: str, *lengths: int) -> str | None:
    """The first run of ASCII digits of one of `lengths` (spaces inside are dropped)."""
    for found in _DIGITS.finditer(compact(text)):
        if len(found.group(0)) in lengths:
            return found.group(0)
    return None
