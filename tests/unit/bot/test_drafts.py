"""The form's answers become one POST /invoices request, tax-inclusive by default."""

from __future__ import annotations

import pytest
from actions.drafts import draft_from_slots, issue_request, kind_from_words, slot_for_field

SLOTS = {
    "invoice_kind": "digital_special",
    "buyer_name": "武汉光谷科技有限公司",
    "tax_id": "91420106MA49X8Q2Y7",
    "item": "技术服务费",
    "amount": "10600",
    "tax_rate": "6%",
    "tax_included": None,
    "remark": None,
}


@pytest.mark.parametrize(
    ("words", "kind"),
    [
        ("专票", "digital_special"),
        ("数电普票", "digital_general"),
        ("纸质专票", "paper_special"),
        ("纸质普通发票", "paper_general"),
        ("增值税专用发票", "digital_special"),
        ("paper_general", "paper_general"),
        ("发票", None),
    ],
)
def test_kinds_in_words_become_api_kinds(words: str, kind: str | None) -> None:
    assert kind_from_words(words) == kind


def test_the_amount_is_tax_inclusive_unless_said_otherwise() -> None:
    body = issue_request(draft_from_slots(SLOTS))
    assert body == {
        "kind": "digital_special",
        "buyer": {"name": "武汉光谷科技有限公司", "tax_id": "91420106MA49X8Q2Y7"},
        "lines": [
            {
                "name": "技术服务费",
                "quantity": "1",
                "unit_price": "10600.00",
                "tax_rate": "6%",
                "tax_included": True,
            }
        ],
    }


def test_a_confirmed_tax_id_and_a_remark_travel_with_the_request() -> None:
    draft = draft_from_slots({**SLOTS, "tax_included": False, "remark": "合同HT-118"})
    body = issue_request(draft, confirm_tax_id=True)
    assert body["lines"][0]["tax_included"] is False
    assert body["remark"] == "合同HT-118"
    assert body["confirm_tax_id"] is True


@pytest.mark.parametrize(
    ("field", "slot"),
    [
        ("buyer.tax_id", "tax_id"),
        ("lines.0.tax_rate", "tax_rate"),
        ("lines.0.name", "item"),
        ("kind", "invoice_kind"),
        (None, None),
    ],
)
def test_refused_fields_name_the_slot_to_ask_again(field: str | None, slot: str | None) -> None:
    assert slot_for_field(field) == slot
