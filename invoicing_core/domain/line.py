"""An invoice line: goods or a service with its quantity, price, amount, rate and tax."""

import re
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from invoicing_core.domain.errors import InvalidInput
from invoicing_core.domain.money import DecimalInput, format_money, parse_decimal, round_money
from invoicing_core.domain.tax_rate import TaxRate
from invoicing_core.domain.text import invoice_text

QUANTITY_TOLERANCE = Decimal("0.01")
TAX_TOLERANCE = Decimal("0.06")

# A unit price derived from a tax-inclusive one is rounded to 8 decimals (verify the
# tax system's limit); the quantity tolerance then holds up to millions of units.
_UNIT_PRICE_PLACES = Decimal("1e-8")
_TAX_CODE = re.compile(r"[0-9]{19}")


@dataclass(frozen=True, kw_only=True)
class InvoiceLine:
    """One line; amount and unit price exclude tax, red-letter lines are negative."""

    name: str
    amount: Decimal
    tax_rate: TaxRate
    tax: Decimal
    quantity: Decimal | None = None
    unit_price: Decimal | None = None
    tax_code: str | None = None
    spec: str = ""
    unit: str = ""
    # On a red-letter line: the 1-based number of the blue invoice's line it negates.
    blue_line_no: int | None = None

    def __post_init__(self) -> None:
        _check_text(self)
        _check_amount(self)
        _check_quantity_and_price(self)
        _check_tax(self)

    @classmethod
    def from_input(
        cls,
        *,
        name: str,
        quantity: DecimalInput,
        unit_price: DecimalInput,
        tax_rate: TaxRate | str | Decimal | int,
        tax_included: bool = False,
        tax_code: str | None = None,
        spec: str = "",
        unit: str = "",
    ) -> "InvoiceLine":
        """Build a line as a user enters it, computing amount and tax from either price.

        Its texts are normalised as printed (see invoice_text).
        """
        count = parse_decimal(quantity, "quantity")
        _require_nonzero(count)
        price = parse_decimal(unit_price, "unit_price")
        rate = TaxRate.parse(tax_rate)
        if tax_included:
            amount, tax = _split_tax_inclusive(round_money(count * price), rate)
            price = (amount / count).quantize(_UNIT_PRICE_PLACES, rounding=ROUND_HALF_UP)
        else:
            amount = round_money(count * price)
            tax = round_money(amount * rate.rate)
        return cls(
            name=invoice_text(name, field="name", label="商品或服务名称"),
            quantity=count,
            unit_price=price,
            amount=amount,
            tax_rate=rate,
            tax=tax,
            tax_code=tax_code.strip() if tax_code else None,
            spec=invoice_text(spec, field="spec", label="规格型号"),
            unit=invoice_text(unit, field="unit", label="单位"),
        )

    @property
    def total_with_tax(self) -> Decimal:
        """Amount plus tax."""
        return self.amount + self.tax

    @property
    def tax_difference(self) -> Decimal:
        """How far the printed tax is from amount × rate; invoices bound the sum of these."""
        return self.amount * self.tax_rate.rate - self.tax

    def negated(self, blue_line_no: int) -> "InvoiceLine":
        """The red-letter line that negates this whole line."""
        return replace(
            self,
            quantity=-self.quantity if self.quantity is not None else None,
            amount=round_money(-self.amount),
            tax=round_money(-self.tax),
            blue_line_no=blue_line_no,
        )

    def negated_part(self, amount: Decimal, tax: Decimal, blue_line_no: int) -> "InvoiceLine":
        """A red-letter line negating part of this line's money, without quantity or price."""
        return replace(
            self,
            quantity=None,
            unit_price=None,
            amount=round_money(-amount),
            tax=round_money(-tax),
            blue_line_no=blue_line_no,
        )


def _split_tax_inclusive(gross: Decimal, rate: TaxRate) -> tuple[Decimal, Decimal]:
    """Split a tax-inclusive amount into amount and tax that add up to it exactly."""
    amount = round_money(gross / (1 + rate.rate))
    return amount, gross - amount


def _check_text(line: InvoiceLine) -> None:
    if not line.name.strip():
        raise InvalidInput("请填写商品或服务名称。", field="name")
    if line.tax_code is not None and not _TAX_CODE.fullmatch(line.tax_code):
        raise InvalidInput(f"税收分类编码应为19位数字：{line.tax_code}", field="tax_code")


def _check_amount(line: InvoiceLine) -> None:
    if line.amount != round_money(line.amount):
        raise InvalidInput(f"金额最多保留两位小数：{line.amount}", field="amount")
    if line.amount == 0:
        raise InvalidInput("金额不能为0。", field="amount")


def _check_quantity_and_price(line: InvoiceLine) -> None:
    if (line.quantity is None) != (line.unit_price is None):
        raise InvalidInput("数量和单价须同时填写或同时留空。", field="quantity")
    if line.quantity is None or line.unit_price is None:
        return
    _require_nonzero(line.quantity)
    if line.unit_price <= 0:
        raise InvalidInput(f"单价必须大于0：{line.unit_price}", field="unit_price")
    if abs(line.quantity * line.unit_price - line.amount) > QUANTITY_TOLERANCE:
        raise InvalidInput(
            f"数量×单价（{line.quantity}×{line.unit_price}）与金额{format_money(line.amount)}"
            f"相差超过{QUANTITY_TOLERANCE}。",
            field="amount",
        )


def _require_nonzero(quantity: Decimal) -> None:
    # Checked before any arithmetic, since a tax-inclusive price is divided by it.
    if quantity == 0:
        raise InvalidInput("数量不能为0。", field="quantity")


def _check_tax(line: InvoiceLine) -> None:
    if line.tax != round_money(line.tax):
        raise InvalidInput(f"税额最多保留两位小数：{line.tax}", field="tax")
    if line.tax_rate.rate == 0 and line.tax != 0:
        raise InvalidInput(f"{line.tax_rate.value}的行税额必须为0。", field="tax")
    if abs(line.tax_difference) > TAX_TOLERANCE:
        raise InvalidInput(
            f"税额{format_money(line.tax)}与金额×税率"
            f"（{format_money(line.amount)}×{line.tax_rate.value}）相差超过{TAX_TOLERANCE}。",
            field="tax",
        )
