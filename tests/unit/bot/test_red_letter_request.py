"""What a red-letter request asked for: everything left, or a part named as typed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from actions.red_letter_request import PartAsked, asks_for_a_part, part_asked, part_of_request


def said(text: str, intent: str, *entities: str) -> dict[str, Any]:
    """A user event as the tracker keeps it."""
    parse_data = {
        "intent": {"name": intent},
        "entities": [{"entity": entity, "value": "x"} for entity in entities],
    }
    return {"event": "user", "text": text, "parse_data": parse_data}


def test_an_amount_a_line_or_the_word_part_in_the_request_asks_for_a_part() -> None:
    request = said("红冲26421000000000001088 部分红冲2000元", "red_invoice", "amount")
    assert asks_for_a_part([request])
    assert asks_for_a_part([said("对方部分退货，要冲一下红", "red_invoice")])
    assert asks_for_a_part([said("红冲第2行", "red_invoice")])
    # The request counts, not the messages answering the form afterwards.
    assert asks_for_a_part([request, {"event": "bot", "text": "找到这张发票"}, said("2", "inform")])


def test_a_plain_request_or_no_request_does_not() -> None:
    whole = said("把26421000000000001088红冲了", "red_invoice", "invoice_number")
    assert not asks_for_a_part([whole])
    assert part_of_request([whole]) is None
    assert not asks_for_a_part([said("好的", "affirm")])  # the offer after a refused void
    assert not asks_for_a_part([])
    # Only the latest request: an earlier partial one was cancelled.
    earlier = said("部分红冲2000元", "red_invoice", "amount")
    assert not asks_for_a_part([earlier, said("红冲最后一张", "red_invoice")])


def test_an_amount_is_tax_inclusive_unless_said_otherwise_and_never_an_invoice_number() -> None:
    assert part_asked("部分红冲2000元（含税）") == PartAsked(amount=Decimal("2000.00"))
    assert part_asked("红冲3000（不含税）") == PartAsked(
        amount=Decimal("3000.00"), tax_included=False
    )
    typed = part_asked("红冲26421000000000001088 部分红冲2000元")
    assert typed.amount == Decimal("2000.00")
    assert part_asked("第二行红冲1.2万") == PartAsked(line_no=2, amount=Decimal("12000.00"))


def test_a_line_alone_or_a_quantity_of_a_line_is_read_as_typed() -> None:
    assert part_asked("红冲第2行") == PartAsked(line_no=2)
    assert part_asked("退货，第1行红冲5个") == PartAsked(line_no=1, quantity=Decimal("5"))


def test_a_part_meant_but_not_named_is_unnamed() -> None:
    events = [said("对方部分退货，要冲一下红", "red_invoice")]
    assert part_of_request(events) == PartAsked(unnamed=True)
    # The amount entity without a readable amount: a part, to be asked for.
    assert part_of_request([said("冲掉一些", "red_invoice", "amount")]) == PartAsked(unnamed=True)
