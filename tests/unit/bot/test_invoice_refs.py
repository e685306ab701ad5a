"""Invoice numbers and references to "this one" or "the last one"."""

from __future__ import annotations

import pytest
from actions.invoice_refs import find_invoice_number, refers_to_current, refers_to_latest


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("作废26421000000000000001", "26421000000000000001"),
        ("查下 420023113012345678", "420023113012345678"),
        ("代码4200231130 号码12345678", "420023113012345678"),
        ("发票代码：042002300111，发票号码：00123456", "04200230011100123456"),
        ("4200231130 12345678", "420023113012345678"),
        ("042002300111-00123456", "04200230011100123456"),
        ("12345678", None),
        ("开100张", None),
    ],
)
def test_numbers_are_found_with_a_paper_code_joined(text: str, number: str | None) -> None:
    assert find_invoice_number(text) == number


def test_words_for_the_newest_invoice_are_recognised() -> None:
    assert refers_to_latest("作废刚开的那张")
    assert refers_to_latest("最后一张下载一下")
    assert not refers_to_latest("作废26421000000000000001")


def test_words_for_the_invoice_in_view_are_recognised() -> None:
    assert refers_to_current("这张作废")
    assert not refers_to_current("查一下上个月的票")
