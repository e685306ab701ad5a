"""Text printed on an invoice: invisible and control characters refused, whitespace normalised."""

from collections.abc import Callable
from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from invoicing_core.domain.errors import InvalidCharacter, InvalidInput
from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party
from invoicing_core.domain.text import invoice_text

MakeInvoice = Callable[..., Invoice]

# Characters that print as nothing, reorder what is printed, or mean nothing at all.
REFUSED = [
    "\x00",  # NUL
    "\x07",  # bell
    "\x1f",  # unit separator, which str.split() would take for whitespace
    "\x7f",  # delete
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u202e",  # right-to-left override
    "\u202d",  # left-to-right override
    "\u2066",  # left-to-right isolate
    "\u00ad",  # soft hyphen
    "\ufeff",  # byte order mark
    "\ue000",  # private use
    "\U000f0000",  # supplementary private use
    "\u0378",  # unassigned
    "\ud800",  # lone surrogate
]


@pytest.mark.parametrize("char", REFUSED)
def test_control_format_private_and_unassigned_characters_are_refused(char: str) -> None:
    with pytest.raises(InvalidCharacter) as raised:
        invoice_text(f"技术{char}服务费", field="name", label="商品或服务名称")
    error = raised.value
    assert isinstance(error, InvalidInput)
    assert (error.code, error.field) == ("invalid_character", "name")
    assert error.message.startswith("商品或服务名称")
    assert f"U+{ord(char):04X}" in error.message


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        ("  技术服务费  ", "技术服务费"),
        ("技术\t服务\n费", "技术 服务 费"),
        ("技术\r\n\r\n服务", "技术 服务"),
        ("武汉\u3000示例\u00a0科技", "武汉 示例 科技"),  # ideographic space, NBSP
        ("a\u2028b\u2029c\x85d", "a b c d"),  # line and paragraph separators, NEL
        ("Acme   Trading\v\fLtd", "Acme Trading Ltd"),
        ("\u3000\t \n", ""),
        ("", ""),
    ],
)
def test_ordinary_whitespace_is_collapsed_to_one_space_and_stripped(
    typed: str, printed: str
) -> None:
    assert invoice_text(typed, field="remark", label="备注") == printed


@given(st.text(st.characters(exclude_categories=("Cc", "Cf", "Cs", "Co", "Cn"))))
def test_normalised_text_has_no_runs_of_whitespace_and_stays_the_same_when_normalised_again(
    typed: str,
) -> None:
    printed = invoice_text(typed, field="remark", label="备注")
    assert printed == printed.strip() and "  " not in printed
    assert all(char == " " or not char.isspace() for char in printed)
    assert invoice_text(printed, field="remark", label="备注") == printed


def test_a_line_name_with_nul_and_a_right_to_left_override_is_refused() -> None:
    with pytest.raises(InvalidCharacter) as raised:
        InvoiceLine.from_input(
            name="技术\x00服务\u202e费", quantity=1, unit_price=100, tax_rate="6%"
        )
    assert raised.value.field == "name"


@pytest.mark.parametrize("field", ["spec", "unit"])
def test_spec_and_unit_refuse_invisible_characters_too(field: str) -> None:
    texts = {"spec": "", "unit": ""} | {field: "\u200b台"}
    with pytest.raises(InvalidCharacter) as raised:
        InvoiceLine.from_input(
            name="技术服务费",
            spec=texts["spec"],
            unit=texts["unit"],
            quantity=1,
            unit_price=100,
            tax_rate="6%",
        )
    assert raised.value.field == field


def test_line_texts_are_normalised() -> None:
    line = InvoiceLine.from_input(
        name="技术\t服务\u3000费",
        spec=" A  型 ",
        unit="\u00a0次\n",
        quantity=1,
        unit_price=1,
        tax_rate=6,
    )
    assert (line.name, line.spec, line.unit) == ("技术 服务 费", "A 型", "次")


def test_a_line_name_of_whitespace_only_is_refused_as_empty() -> None:
    with pytest.raises(InvalidInput, match="请填写商品或服务名称") as raised:
        InvoiceLine.from_input(name="\u3000\t\u00a0", quantity=1, unit_price=1, tax_rate=6)
    assert raised.value.field == "name"


def test_a_buyer_name_of_zero_width_spaces_is_refused() -> None:
    with pytest.raises(InvalidCharacter) as raised:
        Party.from_input(name="\u200b\u200b\u200b")
    assert raised.value.field == "name"


@pytest.mark.parametrize("field", ["address", "phone", "bank", "account", "email"])
def test_every_text_of_a_party_refuses_invisible_characters(field: str) -> None:
    with pytest.raises(InvalidCharacter) as raised:
        Party.from_input(name="武汉光谷科技有限公司", **{field: "招商\u202e银行"})
    assert raised.value.field == field


def test_party_texts_are_normalised_and_a_blank_name_is_refused_as_empty() -> None:
    party = Party.from_input(
        name=" 武汉光谷\u3000科技有限公司 ",
        tax_id="91420106MA49X8Q2Y7",
        address="武汉市\n东湖高新区",
        bank="招商银行\t武汉分行",
    )
    assert (party.name, party.tax_id, party.address, party.bank) == (
        "武汉光谷 科技有限公司",
        "91420106MA49X8Q2Y7",
        "武汉市 东湖高新区",
        "招商银行 武汉分行",
    )
    with pytest.raises(InvalidInput, match="请填写名称"):
        Party.from_input(name="\u3000\u00a0\n")


def test_a_void_reason_is_normalised_and_refuses_invisible_characters(
    make_invoice: MakeInvoice,
) -> None:
    at = datetime(2026, 3, 20, tzinfo=CHINA_TZ)
    invoice = make_invoice(InvoiceKind.PAPER_GENERAL)
    with pytest.raises(InvalidCharacter) as raised:
        invoice.void("开错\u202e了", by="demo", at=at)
    assert (raised.value.field, invoice.voided) == ("reason", None)
    with pytest.raises(InvalidInput, match="请填写作废原因"):
        invoice.void("\u3000", by="demo", at=at)
    invoice.void("购买方\t名称\n开错", by="demo", at=at)
    assert invoice.voided is not None and invoice.voided.reason == "购买方 名称 开错"
