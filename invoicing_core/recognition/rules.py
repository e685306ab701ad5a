"""The domain's rules applied to what was read: each failure is a check, each success a
confirmation that makes the fields it ties together certain.

A rule confirms only from values that are certain already or that it ties to one,
so a misread would have to be matched by a second, compensating misread to pass.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from invoicing_core.domain.invoice import MAX_TAX_DIFFERENCE
from invoicing_core.domain.ledger_fields import FIELD_LABELS
from invoicing_core.domain.line import QUANTITY_TOLERANCE, TAX_TOLERANCE
from invoicing_core.domain.money import format_money
from invoicing_core.domain.tax_id import TaxIdStatus, check_tax_id
from invoicing_core.domain.uppercase import uppercase_amount
from invoicing_core.recognition.merge import Merged, MergedDocument
from invoicing_core.recognition.result import Check

Line = dict[str, Merged]


@dataclass
class Verdict:
    """Failed rules as checks, and the fields (`lines[i].x` for lines) rules confirmed."""

    checks: list[Check] = field(default_factory=list)
    confirmed: set[str] = field(default_factory=set)


def apply_rules(document: MergedDocument) -> Verdict:
    """Run every rule that the fields read allow."""
    verdict = Verdict()
    certain = {name for name, merged in document.fields.items() if merged.agreed}
    for party in ("buyer", "seller"):
        _tax_id(document, f"{party}_tax_id", verdict)
    _whose_tax_id(document, verdict)
    _uppercase(document, verdict)
    _total(document, verdict, certain | verdict.confirmed)
    _line_sums(document, verdict, certain | verdict.confirmed)
    _line_rules(document, verdict, certain | verdict.confirmed)
    verdict.confirmed -= document.unsure | document.disputed
    return verdict


def _money(document: MergedDocument, name: str) -> Decimal | None:
    value = document.value(name)
    return Decimal(value) if value is not None and value[:1] in "-0123456789" else None


def _tax_id(document: MergedDocument, name: str, verdict: Verdict) -> None:
    value = document.value(name)
    if value is None:
        return
    check = check_tax_id(value)
    if check.status is TaxIdStatus.VALID:
        verdict.confirmed.add(name)
    elif check.status is TaxIdStatus.CHECK_MISMATCH:
        verdict.checks.append(Check(name, "tax_id_check_failed", check.message))
    elif check.status is TaxIdStatus.BAD_FORMAT:
        verdict.checks.append(Check(name, "tax_id_invalid", check.message))


def _whose_tax_id(document: MergedDocument, verdict: Verdict) -> None:
    """A check character proves an id, not whose it is. Every invoice prints the seller's,
    so a buyer's id read without any seller's (a buyer without an id, its seller's id
    taken for the buyer's), or one id on both sides, is the layout's guess."""
    buyer, seller = document.value("buyer_tax_id"), document.value("seller_tax_id")
    if buyer is not None and (seller is None or seller == buyer):
        verdict.confirmed -= {"buyer_tax_id", "seller_tax_id"}


def _uppercase(document: MergedDocument, verdict: Verdict) -> None:
    total, words = _money(document, "total_with_tax"), document.value("total_in_words")
    if total is None or words is None:
        return
    expected = uppercase_amount(total)
    if words == expected:
        verdict.confirmed |= {"total_with_tax", "total_in_words"}
    else:
        verdict.checks.append(
            Check(
                "total_in_words",
                "uppercase_mismatch",
                f"价税合计大写“{words}”与小写¥{format_money(total)}不符"
                f"（小写金额的大写应为“{expected}”），请核对原件。",
            )
        )


def _total(document: MergedDocument, verdict: Verdict, certain: set[str]) -> None:
    amount, tax = _money(document, "amount"), _money(document, "tax")
    total = _money(document, "total_with_tax")
    if amount is None or tax is None or total is None:
        return
    if amount + tax != total:
        verdict.checks.append(
            Check(
                "total_with_tax",
                "total_mismatch",
                f"合计金额¥{format_money(amount)}加合计税额¥{format_money(tax)}"
                f"为¥{format_money(amount + tax)}，与价税合计¥{format_money(total)}不符。",
            )
        )
    elif "total_with_tax" in certain:
        verdict.confirmed |= {"amount", "tax"}


def _line_sums(document: MergedDocument, verdict: Verdict, certain: set[str]) -> None:
    for name in ("amount", "tax"):
        total = _money(document, name)
        parts = [_line_money(line, name) for line in document.lines]
        if total is None or not parts or any(part is None for part in parts):
            continue
        summed = sum((part for part in parts if part is not None), Decimal(0))
        if summed != total:
            label = "金额" if name == "amount" else "税额"
            verdict.checks.append(
                Check(
                    name,
                    f"{name}_sum_mismatch",
                    f"各行{label}之和¥{format_money(summed)}与{FIELD_LABELS[name]}"
                    f"¥{format_money(total)}不符。",
                )
            )
        elif name in certain:
            verdict.confirmed |= {f"lines[{i}].{name}" for i in range(len(parts))}


def _line_rules(document: MergedDocument, verdict: Verdict, certain: set[str]) -> None:
    differences: list[Decimal] = []
    for index, line in enumerate(document.lines):
        amount, tax = _line_money(line, "amount"), _line_money(line, "tax")
        rate = _rate(line)
        where = f"lines[{index}]"
        if amount is not None and tax is not None and rate is not None:
            difference = amount * rate - tax
            differences.append(difference)
            if abs(difference) > TAX_TOLERANCE:
                verdict.checks.append(
                    Check(
                        f"{where}.tax",
                        "line_tax_mismatch",
                        f"第{index + 1}行税额¥{format_money(tax)}与金额×税率"
                        f"（{format_money(amount)}×{rate}）相差超过{TAX_TOLERANCE}。",
                    )
                )
            elif tax != 0 and _all_in({f"{where}.amount", f"{where}.tax"}, verdict, certain):
                verdict.confirmed.add(f"{where}.rate")
        _quantity(document, index, verdict, certain)
    if abs(sum(differences, Decimal(0))) > MAX_TAX_DIFFERENCE:
        verdict.checks.append(
            Check(
                "tax",
                "tax_difference_exceeded",
                f"各行税额与金额×税率之差合计超过{MAX_TAX_DIFFERENCE}元。",
            )
        )


def _quantity(document: MergedDocument, index: int, verdict: Verdict, certain: set[str]) -> None:
    line, where = document.lines[index], f"lines[{index}]"
    quantity, price = _line_plain(line, "quantity"), _line_plain(line, "unit_price")
    amount = _line_money(line, "amount")
    if quantity is None or price is None or amount is None:
        return
    if abs(quantity * price - amount) > QUANTITY_TOLERANCE:
        verdict.checks.append(
            Check(
                f"{where}.amount",
                "line_quantity_mismatch",
                f"第{index + 1}行数量×单价（{quantity}×{price}）与金额¥{format_money(amount)}"
                f"相差超过{QUANTITY_TOLERANCE}。",
            )
        )
    elif _all_in({f"{where}.amount"}, verdict, certain):
        verdict.confirmed |= {f"{where}.quantity", f"{where}.unit_price"}


def _all_in(names: Iterable[str], verdict: Verdict, certain: set[str]) -> bool:
    return all(name in certain or name in verdict.confirmed for name in names)


def _line_money(line: Line, name: str) -> Decimal | None:
    return _line_plain(line, name)


def _line_plain(line: Line, name: str) -> Decimal | None:
    merged = line.get(name)
    if merged is None or merged.cell.value[:1] not in "-0123456789":
        return None
    return Decimal(merged.cell.value)


def _rate(line: Line) -> Decimal | None:
    value = _line_plain(line, "rate")
    if value is not None:
        return value
    merged = line.get("rate")
    marked = merged is not None and merged.cell.value in ("免税", "不征税")
    return Decimal(0) if marked else None
