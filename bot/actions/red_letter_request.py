"""What a red-letter request asked for (pure: no Rasa imports, tested in tests/unit/bot).

A request may name a part: an amount ("部分红冲2000元（含税）", "红冲3000（不含税）"), a
line ("红冲第2行"), or a quantity of a line ("第1行红冲5个"). Only what the user typed is
read here; how much that is in amount and tax is the app's to say (its preview), never
the bot's.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from actions.money import find_amount
from actions.numerals import NUMERAL_CHARS, parse_number

# "第2行", "第二行"; "第1行红冲5个": a quantity, in the units goods are counted in.
_LINE = re.compile(r"第\s*([0-9" + NUMERAL_CHARS + r"]+)\s*(?:行|项|条)")
_QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(?:个|件|台|箱|套|吨|只|支|盒|包|桶|米|千克|公斤|次)")
# Tax-exclusive when said so; otherwise an amount is the price-tax total, as clerks mean it.
_TAX_EXCLUSIVE = re.compile(r"不含税|未税|税前|不含增值税")
# Long runs of digits are invoice numbers or codes, never the amount.
_LONG_DIGITS = re.compile(r"\d{8,}")
_PART_WORDS = re.compile(r"部分|一部分")


@dataclass(frozen=True)
class PartAsked:
    """The part a red-letter request named, as typed; None where it named none."""

    line_no: int | None = None
    amount: Decimal | None = None
    tax_included: bool = True
    quantity: Decimal | None = None
    # "部分退货": a part is meant, but neither a line nor how much is named.
    unnamed: bool = False

    @property
    def named(self) -> bool:
        """Whether the request names a part at all."""
        return self.unnamed or any(
            value is not None for value in (self.line_no, self.amount, self.quantity)
        )


def latest_request(events: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The latest red_invoice message (the request, not the form's answers after it)."""
    for event in reversed(events):
        parsed = event.get("parse_data") or {}
        if event.get("event") == "user" and parsed.get("intent", {}).get("name") == "red_invoice":
            return dict(event)
    return None


def asks_for_a_part(events: list[dict[str, Any]]) -> bool:
    """Whether the latest red-letter request named an amount or a part ("部分红冲2000元")."""
    event = latest_request(events)
    if event is None:
        return False
    entities = (event.get("parse_data") or {}).get("entities") or []
    named_amount = any(e.get("entity") == "amount" for e in entities)
    return named_amount or part_asked(str(event.get("text") or "")).named


def part_of_request(events: list[dict[str, Any]]) -> PartAsked | None:
    """The part the latest red-letter request named; None when it asked for everything."""
    if not asks_for_a_part(events):
        return None
    event = latest_request(events) or {}
    part = part_asked(str(event.get("text") or ""))
    return part if part.named else PartAsked(unnamed=True)


def part_asked(text: str) -> PartAsked:
    """ "部分红冲2000元（含税）" → amount 2000 with tax; "红冲第2行" → line 2;
    "第1行红冲5个" → line 1, quantity 5. An empty PartAsked when the text names no part
    ("部分退货" alone names that a part is meant: see asks_for_a_part)."""
    plain = _LONG_DIGITS.sub(" ", unicodedata.normalize("NFKC", text))
    line_no = None
    line = _LINE.search(plain)
    if line:
        line_no = _number(line.group(1))
        plain = plain[: line.start()] + " " + plain[line.end() :]
    quantity = _QUANTITY.search(plain)
    if quantity:
        return PartAsked(line_no=line_no, quantity=Decimal(quantity.group(1)))
    amount = find_amount(plain)
    tax_included = not _TAX_EXCLUSIVE.search(plain)
    if amount is None and line_no is None and _PART_WORDS.search(plain):
        return PartAsked(unnamed=True)
    return PartAsked(line_no=line_no, amount=amount, tax_included=tax_included)


def _number(text: str) -> int | None:
    try:
        return int(parse_number(text))
    except (ValueError, InvalidOperation):
        return None
