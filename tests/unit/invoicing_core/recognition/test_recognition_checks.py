"""Readings merged and checked: disagreements and broken rules are reported, never fixed,
and a field is certain only when two sources or a rule confirm it."""

from invoicing_core.recognition.assemble import assemble
from invoicing_core.recognition.reading import Cell, Reading

LINE = {"amount": "1000.00", "rate": "0.13", "tax": "130.00", "quantity": "10", "unit_price": "100"}


def printed(**fields: str) -> Reading:
    reading = Reading("ocr")
    base = {
        "number": "26421000000000000001",
        "date": "2026-03-10",
        "seller_tax_id": "91420100MA4K5R3T13",
        "seller_name": "武汉示例科技有限公司",
        "amount": "1000.00",
        "tax": "130.00",
        "total_with_tax": "1130.00",
        "total_in_words": "壹仟壹佰叁拾圆整",
    }
    for name, value in {**base, **fields}.items():
        reading.put(name, value, 0.9)
    reading.lines.append({name: Cell(value, 0.9) for name, value in LINE.items()})
    return reading


def qr(number: str = "26421000000000000001") -> Reading:
    reading = Reading("qr")
    reading.put("number", number)
    reading.put("date", "2026-03-10")
    reading.put("total_with_tax", "1130.00")
    return reading


def test_agreeing_sources_and_rules_make_fields_certain() -> None:
    recognition = assemble("image", [qr(), printed()], "payload")
    assert recognition.checks == []
    certain = {name for name, found in recognition.fields.items() if found.certain}
    assert certain == {
        "number",
        "date",
        "seller_tax_id",
        "amount",
        "tax",
        "total_with_tax",
        "total_in_words",
    }
    assert recognition.fields["number"].source == "qr"
    line = recognition.lines[0]
    assert all(cell is not None and cell.certain for cell in (line.amount, line.tax, line.rate))


def test_a_valid_id_read_as_the_buyers_without_any_sellers_is_not_certain() -> None:
    # An individual buyer has no id; the seller's, taken for the buyer's, checks out fine.
    lone = printed(buyer_tax_id="91420106MA49X8Q2Y7")
    del lone.fields["seller_tax_id"]
    recognition = assemble("image", [qr(), lone], "payload")
    assert not recognition.fields["buyer_tax_id"].certain
    same = printed(buyer_tax_id="91420100MA4K5R3T13")  # the seller's id on both sides
    recognition = assemble("image", [qr(), same], "payload")
    assert not recognition.fields["buyer_tax_id"].certain
    assert not recognition.fields["seller_tax_id"].certain
    both = assemble("image", [qr(), printed(buyer_tax_id="91420106MA49X8Q2Y7")], "payload")
    assert both.fields["buyer_tax_id"].certain and both.fields["seller_tax_id"].certain


def test_a_disagreement_is_reported_and_leaves_the_field_uncertain() -> None:
    recognition = assemble("image", [qr(), printed(number="26421000000000000007")], "payload")
    assert [(c.field, c.code) for c in recognition.checks] == [("number", "qr_mismatch")]
    assert recognition.value("number") == "26421000000000000001"
    assert not recognition.fields["number"].certain


def test_broken_rules_are_checks_and_nothing_is_corrected() -> None:
    reading = printed(
        seller_tax_id="91420100MA4K5R3T12",
        total_in_words="壹仟壹佰叁拾伍圆整",
        tax="131.00",
    )
    recognition = assemble("image", [reading], None)
    codes = {(c.field, c.code) for c in recognition.checks}
    assert codes == {
        ("seller_tax_id", "tax_id_check_failed"),
        ("total_in_words", "uppercase_mismatch"),
        ("total_with_tax", "total_mismatch"),
        ("tax", "tax_sum_mismatch"),
    }
    assert recognition.value("seller_tax_id") == "91420100MA4K5R3T12"
    assert not any(found.certain for found in recognition.fields.values())


def test_a_line_whose_tax_is_off_is_reported() -> None:
    reading = printed()
    reading.lines[0]["tax"] = Cell("140.00", 0.9)
    recognition = assemble("image", [reading], None)
    assert ("lines[0].tax", "line_tax_mismatch") in {(c.field, c.code) for c in recognition.checks}
    assert "第1行税额" in next(c.message for c in recognition.checks if c.field == "lines[0].tax")


def test_missing_key_fields_are_named() -> None:
    recognition = assemble("image", [Reading("ocr")], None)
    assert [(c.field, c.code) for c in recognition.checks] == [
        ("number", "not_found"),
        ("date", "not_found"),
        ("total_with_tax", "not_found"),
    ]
    assert recognition.to_json()["fields"] == {}
