import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.errors import InvalidInvoiceNumber
from invoicing_core.domain.numbering import DigitalInvoiceNumber, PaperInvoiceNumber


def test_a_digital_number_is_year_province_channel_and_sequence() -> None:
    number = DigitalInvoiceNumber(year=2026, channel=1, sequence=123)
    assert str(number) == "26421000000000000123"


def test_a_digital_number_is_parsed_into_its_parts() -> None:
    number = DigitalInvoiceNumber.parse(" 26421000000000000123 ")
    assert (number.year, number.province, number.channel, number.sequence) == (2026, "42", 1, 123)


@pytest.mark.parametrize(
    "text",
    [
        "2642100000000000012",
        "264210000000000001234",
        "2642100000000000012A",
        "２６421000000000000123",
    ],
)
def test_anything_but_20_ascii_digits_is_not_a_digital_number(text: str) -> None:
    with pytest.raises(InvalidInvoiceNumber):
        DigitalInvoiceNumber.parse(text)


@pytest.mark.parametrize(
    "parts",
    [
        {"year": 1999, "channel": 1, "sequence": 1},
        {"year": 2026, "channel": 10, "sequence": 1},
        {"year": 2026, "channel": 1, "sequence": 10**15},
        {"year": 2026, "channel": 1, "sequence": 1, "province": "4"},
    ],
)
def test_parts_that_do_not_fit_their_digits_are_refused(parts: dict[str, object]) -> None:
    with pytest.raises(InvalidInvoiceNumber):
        DigitalInvoiceNumber(**parts)  # type: ignore[arg-type]


@given(st.text(alphabet="0123456789", min_size=20, max_size=20))
def test_every_20_digit_number_round_trips(text: str) -> None:
    assert str(DigitalInvoiceNumber.parse(text)) == text


@pytest.mark.parametrize("code", ["4200261130", "042002600111"])
def test_paper_invoices_have_a_10_or_12_digit_code_and_8_digit_number(code: str) -> None:
    assert PaperInvoiceNumber(code, "00000001").number == "00000001"


@pytest.mark.parametrize(
    ("code", "number", "field"),
    [("42002611", "00000001", "code"), ("4200261130", "0000001", "number")],
)
def test_malformed_paper_numbers_name_the_wrong_field(code: str, number: str, field: str) -> None:
    with pytest.raises(InvalidInvoiceNumber) as raised:
        PaperInvoiceNumber(code, number)
    assert raised.value.field == field
