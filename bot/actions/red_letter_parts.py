"""A partial red-letter request made concrete: which blue line, and how much of it.

The bot computes nothing about money. The red-letter API takes a line and a tax-exclusive
amount; how much a typed amount is, in amount and tax, is the app's: a typed price-tax
total ("部分红冲2000元（含税）") or a quantity of a line ("第1行红冲5个") goes through the
app's preview (POST /invoices/preview, the domain's own split of a tax-inclusive amount
and its own rounding), and the preview's line amount is what the red-letter request
sends. A whole line ("红冲第2行") sends the line alone: the app negates what is left of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk.interfaces import Tracker

from actions.cards import Card, field
from actions.red_letter_request import PartAsked
from actions.replies import api_for


@dataclass(frozen=True)
class Unclear:
    """The request cannot be made concrete: the domain response that says why, and its values."""

    response: str
    values: dict[str, Any]


@dataclass(frozen=True)
class RedPart:
    """What the red-letter request will send (`lines`), and what the user is shown."""

    lines: list[dict[str, Any]]
    line_no: int
    name: str
    # The app's figures: amount, tax and price-tax total, or None for a whole line.
    amount: str | None
    tax: str | None
    total_with_tax: str | None

    def slot(self) -> dict[str, Any]:
        """As kept in the slot red_part until the yes."""
        return {
            "lines": self.lines,
            "line_no": self.line_no,
            "name": self.name,
            "total_with_tax": self.total_with_tax,
        }


def line_meant(invoice: dict[str, Any], asked: PartAsked) -> dict[str, Any] | Unclear:
    """The blue line the request means: the one named, or the only one."""
    lines = invoice.get("lines") or []
    if asked.line_no is None:
        if len(lines) == 1:
            return dict(lines[0])
        listed = "；".join(
            f"第{line.get('line_no')}行 {line.get('name')}（金额{line.get('amount')}，"
            f"税额{line.get('tax')}）"
            for line in lines
        )
        return Unclear("utter_red_part_which_line", {"lines": listed})
    for line in lines:
        if line.get("line_no") == asked.line_no:
            return dict(line)
    return Unclear("utter_red_part_no_such_line", {"line_no": asked.line_no, "count": len(lines)})


async def resolve(tracker: Tracker, invoice: dict[str, Any], asked: PartAsked) -> RedPart | Unclear:
    """The part to red-letter, its money as the app computes it (raises ApiError)."""
    line = line_meant(invoice, asked)
    if isinstance(line, Unclear):
        return line
    line_no, name = int(line["line_no"]), str(line.get("name") or "")
    if asked.amount is None and asked.quantity is None:
        if asked.line_no is None:
            return Unclear("utter_red_part_how_much", {})
        return RedPart([{"line_no": line_no}], line_no, name, None, None, None)
    if asked.quantity is not None:
        if not line.get("unit_price"):
            return Unclear("utter_red_part_no_price", {"line_no": line_no})
        priced = {"quantity": str(asked.quantity), "unit_price": line["unit_price"]}
        priced["tax_included"] = False
    else:
        priced = {"quantity": "1", "unit_price": str(asked.amount)}
        priced["tax_included"] = asked.tax_included
    preview = await api_for(tracker).post("/invoices/preview", _preview_body(invoice, line, priced))
    [previewed] = preview["lines"]
    amount = str(previewed["amount"])
    return RedPart(
        [{"line_no": line_no, "amount": amount}],
        line_no,
        name,
        amount,
        str(previewed["tax"]),
        str(preview["total_with_tax"]),
    )


def _preview_body(
    invoice: dict[str, Any], line: dict[str, Any], priced: dict[str, Any]
) -> dict[str, Any]:
    """An issue preview of the one line's part, for the app to split and round."""
    buyer = invoice.get("buyer") or {}
    return {
        "kind": invoice["kind"],
        "buyer": {"name": buyer.get("name"), "tax_id": buyer.get("tax_id") or None},
        "lines": [{"name": line["name"], "tax_rate": line["tax_rate"], **priced}],
    }


def part_card(number: str, part: RedPart) -> Card:
    """What the partial red-letter invoice will negate, before the yes."""
    fields = [
        field("蓝字发票号码", number),
        field("冲销行", f"第{part.line_no}行 {part.name}"),
    ]
    if part.amount is None:
        fields.append(field("冲销内容", "该行尚未冲销的全部金额和税额"))
    else:
        fields += [
            field("冲减金额（不含税）", part.amount),
            field("冲减税额", part.tax),
            field("冲减价税合计", part.total_with_tax),
        ]
    return {"type": "invoice_draft", "title": "请确认部分红冲内容", "fields": fields}
