"""Money and other decimal numbers: parsing, rounding to the cent, formatting."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from invoicing_core.domain.errors import InvalidNumber

CENT = Decimal("0.01")

# Far above any real invoice, yet small enough that every product and sum stays
# exact within Decimal's default 28-digit precision.
_MAX_DIGITS_BEFORE_POINT = 15

DecimalInput = Decimal | int | str

# Messages name the field as the user knows it; unknown fields fall back to their key.
_FIELD_NAMES = {
    "quantity": "数量",
    "unit_price": "单价",
    "amount": "金额",
    "tax": "税额",
    "tax_rate": "税率",
    "min_total_with_tax": "审批金额",
}


def parse_decimal(value: object, field: str) -> Decimal:
    """Read a quantity, price or amount from a str, int or Decimal; floats are refused."""
    number = _to_decimal(value, field)
    if not number.is_finite() or number.adjusted() >= _MAX_DIGITS_BEFORE_POINT:
        raise InvalidNumber(f"{_name(field)}超出允许范围：{value}", field=field)
    return number


def parse_money(value: object, field: str) -> Decimal:
    """Read an amount of money with at most two decimals, as a 2-decimal Decimal."""
    amount = parse_decimal(value, field)
    if amount != round_money(amount):
        raise InvalidNumber(f"{_name(field)}最多保留两位小数：{value}", field=field)
    return round_money(amount)


def round_money(value: Decimal) -> Decimal:
    """Round to the cent, halves away from zero, as the tax system does."""
    # Adding zero turns a negative zero (from negating 0.00) into a plain zero.
    return value.quantize(CENT, rounding=ROUND_HALF_UP) + 0


def format_money(value: Decimal) -> str:
    """Format an amount for JSON and messages, e.g. "1130.00"."""
    return str(round_money(value))


def _to_decimal(value: object, field: str) -> Decimal:
    # A float has already lost the exact cents it claims to carry, and a bool is an int.
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidNumber(
            f"{_name(field)}必须以字符串或整数给出，不能是 {type(value).__name__}", field=field
        )
    try:
        return Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise InvalidNumber(f"{_name(field)}不是有效的数字：{value}", field=field) from None


def _name(field: str) -> str:
    return _FIELD_NAMES.get(field, field)
