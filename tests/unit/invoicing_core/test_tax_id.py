import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.errors import InvalidTaxId, TaxIdUnconfirmed
from invoicing_core.domain.tax_id import ALPHABET, TaxIdStatus, check_character, check_tax_id

codes = st.text(alphabet=ALPHABET, min_size=17, max_size=17).map(lambda b: b + check_character(b))


@pytest.mark.parametrize(
    "tax_id",
    ["91310110666007217T", "91350100M000100Y43", "91110000600037341L", "91420100MA4K5R3T13"],
)
def test_known_good_codes_including_the_demo_company_pass(tax_id: str) -> None:
    assert check_tax_id(tax_id).status is TaxIdStatus.VALID


def test_ids_are_normalised_from_spaces_lowercase_and_full_width_input() -> None:
    check = check_tax_id(" ９１４２０１００ma4k5r3t13 ")
    assert check.tax_id == "91420100MA4K5R3T13"
    assert check.status is TaxIdStatus.VALID


def test_a_wrong_check_character_is_a_warning_naming_the_expected_one() -> None:
    check = check_tax_id("91420100MA4K5R3T12")
    assert check.status is TaxIdStatus.CHECK_MISMATCH
    assert "“3”" in check.message


def test_a_wrong_check_character_needs_confirmation_before_it_is_accepted() -> None:
    check = check_tax_id("91420100MA4K5R3T12")
    with pytest.raises(TaxIdUnconfirmed):
        check.accept()
    assert check.accept(confirmed=True) == "91420100MA4K5R3T12"


@pytest.mark.parametrize(
    ("tax_id", "hint"),
    [
        ("", "请填写"),
        ("9131011066600721", "16位"),
        ("9131O110666007217T", "第5位“O”"),
        ("91310110-66007217T", "第9位“-”"),
    ],
)
def test_a_malformed_id_is_refused_even_when_confirmed(tax_id: str, hint: str) -> None:
    check = check_tax_id(tax_id)
    assert check.status is TaxIdStatus.BAD_FORMAT
    assert hint in check.message
    with pytest.raises(InvalidTaxId) as raised:
        check.accept(confirmed=True)
    assert raised.value.field == "tax_id"


@pytest.mark.parametrize("tax_id", ["420100123456789", "42010019800101123X01"])
def test_legacy_15_and_20_character_ids_are_accepted_with_a_note(tax_id: str) -> None:
    check = check_tax_id(tax_id)
    assert check.status is TaxIdStatus.LEGACY
    assert "旧版" in check.message
    assert check.accept() == tax_id


@given(codes)
def test_a_code_with_its_computed_check_character_is_valid(code: str) -> None:
    assert check_tax_id(code).status is TaxIdStatus.VALID


@given(codes, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_changing_any_one_character_is_caught(code: str, position: int, char: str) -> None:
    changed = code[:position] + char + code[position + 1 :]
    expected = TaxIdStatus.VALID if changed == code else TaxIdStatus.CHECK_MISMATCH
    assert check_tax_id(changed).status is expected
