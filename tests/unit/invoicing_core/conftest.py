"""Shared builders for invoicing domain tests."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party

ISSUED_AT = datetime(2026, 3, 10, 9, 30, tzinfo=CHINA_TZ)
SELLER = Party(name="武汉示例科技有限公司", tax_id="91420100MA4K5R3T13")
BUYER = Party(name="上海某某贸易有限公司", tax_id="91310110666007217T")


def line(quantity: str = "10", unit_price: str = "100", tax_rate: str = "13%") -> InvoiceLine:
    """A line of consulting services, tax-exclusive."""
    return InvoiceLine.from_input(
        name="*信息技术服务*技术咨询",
        quantity=quantity,
        unit_price=unit_price,
        tax_rate=tax_rate,
    )


def build_invoice(kind: InvoiceKind = InvoiceKind.DIGITAL_SPECIAL, **overrides: Any) -> Invoice:
    """An issued invoice of `kind`, with a valid number for it, one 1000 + 130 line."""
    numbering: dict[str, Any] = (
        {"number": "26421000000000000001"}
        if kind.is_digital
        else {"code": "4200261130", "number": "00000001"}
    )
    fields: dict[str, Any] = {
        "kind": kind,
        "seller": SELLER,
        "buyer": BUYER,
        "lines": (line(),),
        "issued_at": ISSUED_AT,
        **numbering,
        **overrides,
    }
    return Invoice(**fields)


@pytest.fixture(scope="session")
def make_invoice() -> Callable[..., Invoice]:
    """Build an issued invoice; keyword arguments override its fields."""
    return build_invoice


@pytest.fixture(scope="session")
def make_line() -> Callable[..., InvoiceLine]:
    """Build a tax-exclusive line from quantity, unit price and rate."""
    return line
