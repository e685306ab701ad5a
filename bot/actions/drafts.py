"""The invoice a conversation is about to issue: kinds in words, and the API request.

Standard library only, so it can be unit-tested outside Rasa's environment.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

KINDS = ("digital_special", "digital_general", "paper_special", "paper_general")
# The kinds as clerks say them (and the kind question's buttons name them), for the
# summary card when the app's preview, which carries the API's label, was refused.
KIND_NAMES = {
    "digital_special": "数电专票",
    "digital_general": "数电普票",
    "paper_special": "纸质专票",
    "paper_general": "纸质普票",
}
SPECIAL_KINDS = ("digital_special", "paper_special")
# The app's reading of a buyer's name (GET /buyers/type): an enterprise must give its
# taxpayer id on a general invoice too.
ENTERPRISE, NON_ENTERPRISE = "enterprise", "non_enterprise"
_SPECIAL_WORDS = ("专", "专用")
_GENERAL_WORDS = ("普", "普通")
_PAPER_WORDS = ("纸",)


def kind_from_words(text: str) -> str | None:
    """ "专票" → digital_special, "纸质普票" → paper_general; None when neither 专 nor 普."""
    if text in KINDS:
        return text
    special = any(word in text for word in _SPECIAL_WORDS)
    general = any(word in text for word in _GENERAL_WORDS)
    if special == general:
        return None
    medium = "paper" if any(word in text for word in _PAPER_WORDS) else "digital"
    return f"{medium}_{'special' if special else 'general'}"


def draft_from_slots(slots: dict[str, Any]) -> dict[str, Any]:
    """The form's answers as one draft; the amount is tax-inclusive unless said otherwise."""
    return {
        "kind": slots["invoice_kind"],
        "buyer_name": slots["buyer_name"],
        "tax_id": slots.get("tax_id") or None,
        "item": slots["item"],
        "amount": f"{Decimal(slots['amount']):.2f}",
        "tax_rate": slots["tax_rate"],
        "tax_included": slots.get("tax_included") is not False,
        "remark": slots.get("remark") or "",
    }


def issue_request(draft: dict[str, Any], confirm_tax_id: bool = False) -> dict[str, Any]:
    """The body of POST /invoices: one line, quantity 1, priced at the amount."""
    buyer: dict[str, Any] = {"name": draft["buyer_name"]}
    if draft.get("tax_id"):
        buyer["tax_id"] = draft["tax_id"]
    line = {
        "name": draft["item"],
        "quantity": "1",
        "unit_price": draft["amount"],
        "tax_rate": draft["tax_rate"],
        "tax_included": draft["tax_included"],
    }
    body: dict[str, Any] = {"kind": draft["kind"], "buyer": buyer, "lines": [line]}
    if draft.get("remark"):
        body["remark"] = draft["remark"]
    if confirm_tax_id:
        body["confirm_tax_id"] = True
    return body


# Which form slot to ask again when the API refuses a field of the request.
_FIELD_SLOTS = {
    "kind": "invoice_kind",
    "name": "buyer_name",
    "buyer": "buyer_name",
    "tax_id": "tax_id",
    "tax_rate": "tax_rate",
    "rate": "tax_rate",
    "unit_price": "amount",
    "amount": "amount",
    "quantity": "amount",
    "remark": "remark",
}


def slot_for_field(field: str | None) -> str | None:
    """ "buyer.tax_id" → "tax_id", "lines.0.tax_rate" → "tax_rate"."""
    if not field:
        return None
    parts = [part for part in field.split(".") if not part.isdigit()]
    if parts[:1] == ["lines"] and parts[-1] == "name":
        return "item"
    return _FIELD_SLOTS.get(parts[-1]) if parts else None
