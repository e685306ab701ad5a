"""Identifiers are found exactly; unknown ones are searched as their kind."""

from __future__ import annotations

from knowledge.entry import Entry
from knowledge.identifiers import find_identifiers, replace_unknown
from knowledge.index import identifier_table
from knowledge.text import TextAnalyzer


def kinds(text: str) -> list[tuple[str, str]]:
    return [(i.kind, i.value) for i in find_identifiers(text)]


def test_each_kind_of_identifier_is_recognised() -> None:
    assert kinds("24420000000012345678 和 1090305000000000000") == [
        ("invoice_number", "24420000000012345678"),
        ("tax_code", "1090305000000000000"),
    ]
    assert kinds("税号 91420100ma4k5r3t13") == [("taxpayer_id", "91420100MA4K5R3T13")]
    assert kinds("代码 4200191130 号码 12345678") == [
        ("invoice_code", "4200191130"),
        ("document_number", "12345678"),
    ]
    assert kinds("看 account.forgot_password") == [("entry_id", "ACCOUNT.FORGOT_PASSWORD")]


def test_ordinary_numbers_and_words_are_not_identifiers() -> None:
    assert kinds("2026年 13% 税率 1409.5元 数电发票") == []


def test_an_unknown_identifier_is_replaced_by_its_kind() -> None:
    text = "24420000000012345678 怎么作废"
    assert replace_unknown(text, find_identifiers(text), set()) == "发票号码 怎么作废"
    known = {"24420000000012345678"}
    assert replace_unknown(text, find_identifiers(text), known) == text


def entry(entry_id: str, question: str, answer: str) -> Entry:
    return Entry(entry_id, question, answer)


def test_the_identifier_table_keys_entries_by_what_singles_them_out() -> None:
    entries = [
        entry("support.contact", "12366 能打吗", "请拨打 12366"),
        entry("a.one", "问一", "热线 12366"),
        entry("a.two", "问二", "热线 12366，编码 1090305000000000000"),
        entry("a.three", "问三", "热线 12366"),
    ]
    table = identifier_table(entries, TextAnalyzer())
    # Named in a question: that entry; named in many answers only: no key.
    assert table["12366"] == [0]
    assert table["1090305000000000000"] == [2]
    assert table["A.TWO"] == [2]
