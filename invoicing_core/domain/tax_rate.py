"""VAT rates and levy rates a line may carry, and the exempt and non-taxable marks."""

import unicodedata
from decimal import Decimal
from enum import Enum

from invoicing_core.domain.errors import InvalidNumber, InvalidTaxRate
from invoicing_core.domain.money import parse_decimal


class TaxRate(Enum):
    """A line's tax rate; the value is what the invoice prints in the rate column."""

    RATE_13 = "13%"
    RATE_9 = "9%"
    RATE_6 = "6%"
    RATE_5 = "5%"
    RATE_3 = "3%"
    RATE_1 = "1%"
    ZERO = "0%"
    EXEMPT = "免税"
    NON_TAXABLE = "不征税"

    @property
    def is_mark(self) -> bool:
        """Whether the line carries the exempt or non-taxable mark instead of a rate."""
        return self in (TaxRate.EXEMPT, TaxRate.NON_TAXABLE)

    @property
    def rate(self) -> Decimal:
        """The rate as a fraction; exempt and non-taxable lines are taxed at nothing."""
        if self.is_mark:
            return Decimal(0)
        return Decimal(self.value.removesuffix("%")) / 100

    @classmethod
    def parse(cls, raw: object) -> "TaxRate":
        """Read a rate from "6%", "0.06", "6", 6, Decimal("0.06"), "免税", "不征税" and the like."""
        if isinstance(raw, TaxRate):
            return raw
        text = unicodedata.normalize("NFKC", str(raw)).strip()
        if text in _MARKS:
            return _MARKS[text]
        fraction = _as_fraction(raw, text)
        if fraction in _BY_RATE:
            return _BY_RATE[fraction]
        allowed = "、".join(member.value for member in cls)
        raise InvalidTaxRate(f"税率“{raw}”不可用，可选：{allowed}。", field="tax_rate")


_MARKS = {"免税": TaxRate.EXEMPT, "不征税": TaxRate.NON_TAXABLE, "零税率": TaxRate.ZERO}
_BY_RATE = {member.rate: member for member in TaxRate if not member.is_mark}


def _as_fraction(raw: object, text: str) -> Decimal | None:
    """Read "6%" and "0.06" alike; a bare number of 1 or more is a percentage ("6")."""
    number_text = text.removesuffix("%").strip()
    try:
        number = parse_decimal(number_text if isinstance(raw, str) else raw, "tax_rate")
    except InvalidNumber:
        return None
    return number / 100 if text.endswith("%") or number >= 1 else number
