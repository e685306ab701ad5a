"""An invoice row of the template turned into kind, buyer and remark, checked by the domain."""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from invoicing_core.batch import columns as C
from invoicing_core.batch.result import Problems
from invoicing_core.batch.values import parse_flag, parse_kind
from invoicing_core.domain.errors import DomainError, TaxIdUnconfirmed
from invoicing_core.domain.invoice import CHINA_TZ, Invoice, ensure_buyer_identified
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party
from invoicing_core.domain.tax_id import check_tax_id
from invoicing_core.domain.text import invoice_text

MAX_EMAIL_LENGTH = 100
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# A trial invoice lets the domain apply its invoice-level rules (special invoices need
# the buyer's taxpayer id, remark length, tax differences) before a number is drawn.
_TRIAL_NUMBER = "26420000000000000000"
_TRIAL_SELLER = Party(name="批量导入校验")
_TRIAL_AT = datetime(2026, 1, 1, tzinfo=CHINA_TZ)
_TRIAL_LINE = InvoiceLine.from_input(name="校验", quantity=1, unit_price=1, tax_rate="13%")
_INVOICE_FIELDS = {"buyer.tax_id": C.BUYER_TAX_ID, "remark": C.REMARK}
# The domain's names of the buyer's texts, as the template's column headers.
_BUYER_FIELDS = {
    "name": C.BUYER_NAME,
    "address": C.BUYER_ADDRESS,
    "phone": C.BUYER_PHONE,
    "bank": C.BUYER_BANK,
    "account": C.BUYER_ACCOUNT,
    "email": C.BUYER_EMAIL,
}

T = TypeVar("T")


@dataclass(frozen=True)
class InvoiceHead:
    """What an invoice row says: everything of the invoice but its lines."""

    kind: InvoiceKind
    buyer: Party
    remark: str

    def check(self, lines: tuple[InvoiceLine, ...]) -> Problems:
        """What the domain finds wrong with the invoice these lines would make."""
        try:
            invoice = Invoice(
                number=_TRIAL_NUMBER,  # a stand-in: the real number is drawn at issuing
                kind=self.kind,
                seller=_TRIAL_SELLER,
                buyer=self.buyer,
                lines=lines,
                issued_at=_TRIAL_AT,
                remark=self.remark,
            )
            ensure_buyer_identified(invoice)
        except DomainError as error:
            return [(_INVOICE_FIELDS.get(error.field or ""), error.message)]
        return []


def head_from_texts(texts: Mapping[str, str]) -> InvoiceHead | Problems:
    """Read kind, buyer and remark, or list every (column, message) wrong with the row.

    A taxpayer id failing its check character is an error here, as no one can be asked to
    confirm it during an import, unless the row's 纳税人识别号已核实 says 是.
    """
    problems: Problems = []
    kind = _attempt(problems, C.KIND, lambda: parse_kind(texts.get(C.KIND, "")))
    tax_id = _attempt(problems, C.BUYER_TAX_ID, lambda: _tax_id(texts))
    email = texts.get(C.BUYER_EMAIL, "")
    if email and (len(email) > MAX_EMAIL_LENGTH or not _EMAIL.fullmatch(email)):
        problems.append((C.BUYER_EMAIL, f"邮箱地址“{email}”格式不正确。"))
    buyer = _attempt(problems, C.BUYER_NAME, lambda: _buyer(texts, tax_id), _BUYER_FIELDS)
    remark = _attempt(
        problems,
        C.REMARK,
        lambda: invoice_text(texts.get(C.REMARK, ""), field="remark", label=C.REMARK),
    )
    if kind is None or buyer is None or remark is None or problems:
        return problems
    head = InvoiceHead(kind, buyer, remark)
    return head.check((_TRIAL_LINE,)) or head


def _attempt(
    problems: Problems,
    header: str,
    read: Callable[[], T],
    columns: Mapping[str, str] | None = None,
) -> T | None:
    """What `read` gives; its error goes to the column `columns` names for it, or `header`."""
    try:
        return read()
    except DomainError as error:
        problems.append(((columns or {}).get(error.field or "", header), error.message))
        return None


def _tax_id(texts: Mapping[str, str]) -> str | None:
    raw = texts.get(C.BUYER_TAX_ID, "")
    if not raw:
        return None
    confirmed = parse_flag(texts.get(C.TAX_ID_CONFIRMED, ""), C.TAX_ID_CONFIRMED)
    try:
        return check_tax_id(raw).accept(confirmed=confirmed)
    except TaxIdUnconfirmed as error:
        raise TaxIdUnconfirmed(
            f"{error.message}批量导入无法当场确认：如核实无误，请在“{C.TAX_ID_CONFIRMED}”列填“是”。"
        ) from None


def _buyer(texts: Mapping[str, str], tax_id: str | None) -> Party:
    return Party.from_input(
        name=texts.get(C.BUYER_NAME, ""),
        tax_id=tax_id,
        address=texts.get(C.BUYER_ADDRESS, ""),
        phone=texts.get(C.BUYER_PHONE, ""),
        bank=texts.get(C.BUYER_BANK, ""),
        account=texts.get(C.BUYER_ACCOUNT, ""),
        email=texts.get(C.BUYER_EMAIL, ""),
    )
