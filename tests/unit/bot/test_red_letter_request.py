"""A red-letter request that names a part is told the chat negates everything left."""

from __future__ import annotations

from typing import Any

from actions.red_letter_request import asks_for_a_part


def said(text: str, intent: str, *entities: str) -> dict[str, Any]:
    """A user event as the tracker keeps it."""
    parse_data = {
        "intent": {"name": intent},
        "entities": [{"entity": entity, "value": "x"} for entity in entities],
    }
    return {"event": "user", "text": text, "parse_data": parse_data}


def test_an_amount_or_the_word_part_in_the_request_asks_for_a_part() -> None:
    request = said("红冲26421000000000001088 部分红冲2000元", "red_invoice", "amount")
    assert asks_for_a_part([request])
    assert asks_for_a_part([said("对方部分退货，要冲一下红", "red_invoice")])
    # The request counts, not the messages answering the form afterwards.
    assert asks_for_a_part([request, {"event": "bot", "text": "找到这张发票"}, said("2", "inform")])


def test_a_plain_request_or_no_request_does_not() -> None:
    whole = said("把26421000000000001088红冲了", "red_invoice", "invoice_number")
    assert not asks_for_a_part([whole])
    assert not asks_for_a_part([said("好的", "affirm")])  # the offer after a refused void
    assert not asks_for_a_part([])
    # Only the latest request: an earlier partial one was cancelled.
    earlier = said("部分红冲2000元", "red_invoice", "amount")
    assert not asks_for_a_part([earlier, said("红冲最后一张", "red_invoice")])
