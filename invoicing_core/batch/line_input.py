"""A line row of the template turned into a domain InvoiceLine, or the reasons it cannot be."""

from collections.abc import Callable, Mapping
from dataclasses import replace
from decimal import Decimal
from typing import TypeVar

from invoicing_core.batch import columns as C
from invoicing_core.batch.result import Problems
from invoicing_core.batch.values import parse_flag
from invoicing_core.domain.errors import DomainError, InvalidInput
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money, parse_decimal, parse_money
from invoicing_core.domain.tax_rate import TaxRate

# The domain's field names, as the template's column headers.
_DOMAIN_FIELDS = {
    "name": C.ITEM_NAME,
    "tax_code": C.TAX_CODE,
    "spec": C.SPEC,
    "unit": C.UNIT,
    "quantity": C.QUANTITY,
    "unit_price": C.UNIT_PRICE,
    "amount": C.AMOUNT,
    "tax": C.TAX_RATE,
    "tax_rate": C.TAX_RATE,
}

T = TypeVar("T")


def line_from_texts(texts: Mapping[str, str]) -> InvoiceLine | Problems:
    """Build the line the row describes, or list every (column, message) wrong with it.

    数量 and 单价 go together; 金额 may accompany them as a cross-check (it must equal
    数量 × 单价 to the cent, tax-inclusive when 含税标志 is 是) or stand alone, when the
    line prints without quantity and price. Batch lines are blue, so all are positive.
    """
    problems: Problems = []
    quantity = _read(texts, C.QUANTITY, problems, lambda t: parse_decimal(t, "quantity"))
    price = _read(texts, C.UNIT_PRICE, problems, lambda t: parse_decimal(t, "unit_price"))
    amount = _read(texts, C.AMOUNT, problems, lambda t: parse_money(t, "amount"))
    rate = _read(texts, C.TAX_RATE, problems, TaxRate.parse, required=True)
    included = _read(texts, C.TAX_INCLUDED, problems, lambda t: parse_flag(t, C.TAX_INCLUDED))
    if not problems:
        problems = _shape_problems(quantity, price, amount)
    if problems or rate is None:
        return problems
    try:
        line = _build(texts, quantity, price, amount, rate, included=bool(included))
    except DomainError as error:
        return [(_DOMAIN_FIELDS.get(error.field or ""), error.message)]
    if amount is not None and quantity is not None:
        expected = line.total_with_tax if included else line.amount
        if amount != expected:
            kind = "（含税）" if included else "（不含税）"
            message = (
                f"金额{format_money(amount)}与数量×单价{kind}{format_money(expected)}不符；"
                "可留空金额由系统计算。"
            )
            return [(C.AMOUNT, message)]
    return line


def _read(
    texts: Mapping[str, str],
    header: str,
    problems: Problems,
    parse: Callable[[str], T],
    *,
    required: bool = False,
) -> T | None:
    text = texts.get(header, "")
    if not text:
        if required:
            problems.append((header, f"请填写{header}。"))
        return None
    try:
        return parse(text)
    except DomainError as error:
        problems.append((header, error.message))
        return None


def _shape_problems(
    quantity: Decimal | None, price: Decimal | None, amount: Decimal | None
) -> Problems:
    if (quantity is None) != (price is None):
        missing = C.QUANTITY if quantity is None else C.UNIT_PRICE
        return [(missing, "数量和单价须同时填写或同时留空。")]
    if quantity is None and amount is None:
        return [(C.AMOUNT, "请填写数量和单价，或填写金额。")]
    if quantity is not None and quantity <= 0:
        return [(C.QUANTITY, "批量开具的是蓝字发票，数量必须大于0。")]
    if amount is not None and amount <= 0:
        return [(C.AMOUNT, "批量开具的是蓝字发票，金额必须大于0。")]
    return []


def _build(
    texts: Mapping[str, str],
    quantity: Decimal | None,
    price: Decimal | None,
    amount: Decimal | None,
    rate: TaxRate,
    *,
    included: bool,
) -> InvoiceLine:
    if quantity is not None and price is not None:
        return _from_input(texts, quantity, price, rate, included=included)
    if amount is None:  # ruled out by _shape_problems
        raise InvalidInput("请填写数量和单价，或填写金额。", field="amount")
    # An amount alone: let the domain split tax as for one unit at that price, then drop
    # quantity and price (replace() re-runs every line check).
    one = _from_input(texts, Decimal(1), amount, rate, included=included)
    return replace(one, quantity=None, unit_price=None)


def _from_input(
    texts: Mapping[str, str], quantity: Decimal, price: Decimal, rate: TaxRate, *, included: bool
) -> InvoiceLine:
    return InvoiceLine.from_input(
        name=texts.get(C.ITEM_NAME, ""),
        tax_code=texts.get(C.TAX_CODE) or None,
        spec=texts.get(C.SPEC, ""),
        unit=texts.get(C.UNIT, ""),
        quantity=quantity,
        unit_price=price,
        tax_rate=rate,
        tax_included=included,
    )
