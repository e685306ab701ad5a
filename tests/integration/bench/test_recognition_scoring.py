"""How the recognition benchmark judges a reading, with stand-in results (no engine)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bench.recognition_scoring import score


@dataclass(frozen=True)
class Read:
    value: str
    source: str = "ocr"
    confidence: float = 0.9
    certain: bool = False


@dataclass(frozen=True)
class ReadLine:
    name: Read | None = None
    tax_category: Read | None = None
    quantity: Read | None = None
    unit_price: Read | None = None
    amount: Read | None = None
    rate: Read | None = None
    tax: Read | None = None


@dataclass(frozen=True)
class Reading:
    fields: dict[str, Read]
    lines: list[ReadLine] = field(default_factory=list)
    qr_payload: str | None = None


def line(name: str, amount: str, tax: str | None) -> dict[str, str | None]:
    return {
        "name": name,
        "tax_category": "信息技术服务",
        "quantity": "1",
        "unit_price": amount,
        "amount": amount,
        "rate": "0.06" if tax else "免税",
        "tax": tax,
    }


TRUTH: dict[str, Any] = {
    "fields": {
        "kind": "digital_special",
        "code": None,
        "number": "26421000000000000001",
        "date": "2026-03-10",
        "buyer_tax_id": "91310110666007217T",
        "seller_tax_id": "91420100MA4K5R3T13",
        "total_with_tax": "1060.00",
    },
    "lines": [line("技术咨询", "500.00", "30.00"), line("体检", "300.00", None)],
    "qr_visible": True,
    "qr_payload": "01,31,,26421000000000000001,1060.00,20260310,,ABCD",
}


def reading(lines: list[ReadLine], **changed: Read) -> Reading:
    fields = {name: Read(value, certain=True) for name, value in TRUTH["fields"].items() if value}
    return Reading({**fields, **changed}, lines, TRUTH["qr_payload"])


def read_line(name: str, amount: str, tax: str, *, certain: bool = False) -> ReadLine:
    return ReadLine(
        name=Read(name), amount=Read(amount, certain=certain), tax=Read(tax, certain=certain)
    )


def test_values_compare_as_values() -> None:
    changed = {"total_with_tax": Read("¥1060.0"), "number": Read("2642 1000 0000 0000 0001")}
    result = score("a.jpg", TRUTH, reading([], **changed))
    assert result.key_ok and result.qr_ok


def test_a_skipped_first_line_is_missing_and_shifts_nothing() -> None:
    only_second = [read_line("体检", "300.00", "0.00", certain=True)]
    result = score("a.jpg", TRUTH, reading(only_second))
    assert not result.lines_ok
    assert [f.field for f in result.failures] == ["line 1 missing"]
    assert result.certain_wrong == []  # the exempt line's "0.00" tax is not compared


def test_a_wrong_certain_value_is_counted_and_listed() -> None:
    lines = [
        read_line("技术咨询", "500.00", "80.00", certain=True),
        read_line("体检", "300.00", "0"),
    ]
    result = score("a.jpg", TRUTH, reading(lines, seller_tax_id=Read("X", certain=True)))
    assert result.lines_ok  # both amounts right
    assert not result.key_ok
    assert {(f.field, f.read) for f in result.certain_wrong} == {
        ("seller_tax_id", "X"),
        ("line 1 tax", "80.00"),
    }


def test_a_code_read_on_a_digital_invoice_is_wrong() -> None:
    result = score("a.jpg", TRUTH, reading([], code=Read("4200261130", certain=True)))
    assert [f.field for f in result.certain_wrong] == ["code"]


def test_a_refused_file_fails_everything_it_should_have_read() -> None:
    result = score("a.jpg", TRUTH, None, "RecognitionError: 不是发票")
    assert result.qr_ok is False and not result.key_ok and not result.lines_ok
    assert result.failures[0].read == "RecognitionError: 不是发票"
