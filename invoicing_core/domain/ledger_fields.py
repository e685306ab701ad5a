"""The fields of a received invoice as read by recognition and corrected by the user.

A correction never overwrites silently: the field keeps the value as read (or that it
was not read) and is marked corrected, with the user as its source. The key facts the
ledger needs are then checked, each refusal naming the field to correct.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from invoicing_core.domain.dates import check_date
from invoicing_core.domain.errors import InvalidInput, InvalidNumber
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.money import format_money, parse_money
from invoicing_core.domain.numbering import DigitalInvoiceNumber, PaperInvoiceNumber
from invoicing_core.domain.received_invoice import ReceivedInvoice
from invoicing_core.domain.tax_id import TaxIdStatus, check_tax_id
from invoicing_core.domain.text import invoice_text

# The fields of an invoice that recognition reads and the ledger keeps, with their labels.
FIELD_LABELS = {
    "kind": "发票种类",
    "code": "发票代码",
    "number": "发票号码",
    "date": "开票日期",
    "buyer_name": "购买方名称",
    "buyer_tax_id": "购买方纳税人识别号",
    "seller_name": "销售方名称",
    "seller_tax_id": "销售方纳税人识别号",
    "amount": "合计金额",
    "tax": "合计税额",
    "total_with_tax": "价税合计（小写）",
    "total_in_words": "价税合计（大写）",
    "check_code": "校验码",
    "remarks": "备注",
}
USER_SOURCE = "user"
MAX_VALUE_LENGTH = 300


@dataclass(frozen=True)
class LedgerField:
    """A field's value and where it came from; a corrected one keeps what was read."""

    value: str
    source: str
    confidence: float | None
    certain: bool
    corrected: bool = False
    recognized: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The field as stored and shown."""
        return {
            "value": self.value,
            "source": self.source,
            "confidence": self.confidence,
            "certain": self.certain,
            "corrected": self.corrected,
            "recognized": self.recognized,
        }

    @classmethod
    def read(cls, raw: Mapping[str, Any]) -> "LedgerField":
        """A field from recognition's JSON ({value, source, confidence, certain}) or ours."""
        confidence = raw.get("confidence")
        return cls(
            value=str(raw.get("value", "")),
            source=str(raw.get("source", "")),
            confidence=None if confidence is None else float(confidence),
            certain=bool(raw.get("certain", False)),
            corrected=bool(raw.get("corrected", False)),
            recognized=raw.get("recognized"),
        )


def corrected_fields(
    recognized: Mapping[str, Mapping[str, Any]], corrections: Mapping[str, str]
) -> dict[str, LedgerField]:
    """The recognized fields with the user's corrections applied and marked.

    A correction equal to the value read changes nothing; an empty one says the
    invoice does not carry the field.
    """
    fields = {name: LedgerField.read(raw) for name, raw in recognized.items()}
    for name, raw_value in corrections.items():
        label = FIELD_LABELS.get(name)
        if label is None:
            known = "、".join(FIELD_LABELS)
            raise InvalidInput(f"没有名为“{name}”的发票字段，可更正：{known}。", field=name)
        value = invoice_text(raw_value, field=name, label=label)
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidInput(f"{label}不能超过{MAX_VALUE_LENGTH}个字符。", field=name)
        before = fields.get(name)
        if before is not None and before.value == value:
            continue
        fields[name] = LedgerField(
            value=value,
            source=USER_SOURCE,
            confidence=None,
            certain=False,
            corrected=True,
            recognized=before.value if before is not None else None,
        )
    return fields


def received_invoice(fields: Mapping[str, LedgerField]) -> ReceivedInvoice:
    """The ledger's key facts from the fields; refused, naming the field, when one is
    missing or malformed, or when amount and tax do not add up to the total."""
    values = {name: field.value.strip() for name, field in fields.items() if field.value.strip()}
    kind = _kind(values)
    code, number = _code_and_number(kind, values)
    amount, tax = _money(values, "amount"), _money(values, "tax")
    total = _money(values, "total_with_tax")
    if amount + tax != total:
        raise InvalidInput(
            f"金额{format_money(amount)}加税额{format_money(tax)}"
            f"不等于价税合计{format_money(total)}，请核对后更正。",
            field="total_with_tax",
        )
    return ReceivedInvoice(
        kind=kind,
        code=code,
        number=number,
        invoice_date=_date(values),
        seller_name=_name(values, "seller_name") or "",
        seller_tax_id=_tax_id(values, "seller_tax_id", required=True) or "",
        buyer_name=_name(values, "buyer_name"),
        buyer_tax_id=_tax_id(values, "buyer_tax_id", required=False),
        amount=amount,
        tax=tax,
        total_with_tax=total,
    )


def _required(values: Mapping[str, str], name: str) -> str:
    value = values.get(name)
    if value is None:
        raise InvalidInput(f"未能识别{FIELD_LABELS[name]}，请对照发票填写。", field=name)
    return value


def _name(values: Mapping[str, str], name: str) -> str | None:
    """A party's name as printed; the seller's is required, the buyer's may be absent."""
    raw = _required(values, name) if name == "seller_name" else values.get(name)
    if raw is None:
        return None
    text = invoice_text(raw, field=name, label=FIELD_LABELS[name])
    if len(text) > MAX_VALUE_LENGTH:
        raise InvalidInput(f"{FIELD_LABELS[name]}不能超过{MAX_VALUE_LENGTH}个字符。", field=name)
    return text


def _kind(values: Mapping[str, str]) -> InvoiceKind:
    raw = _required(values, "kind")
    for kind in InvoiceKind:
        if raw in (kind.value, kind.label):
            return kind
    choices = "、".join(f"{kind.value}（{kind.label}）" for kind in InvoiceKind)
    raise InvalidInput(f"发票种类“{raw}”无效，可选：{choices}。", field="kind")


def _code_and_number(kind: InvoiceKind, values: Mapping[str, str]) -> tuple[str, str]:
    number = _required(values, "number")
    if kind.is_digital:
        return "", str(DigitalInvoiceNumber.parse(number))
    paper = PaperInvoiceNumber(_required(values, "code"), number)
    return paper.code, paper.number


def _date(values: Mapping[str, str]) -> date:
    raw = _required(values, "date")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"开票日期“{raw}”无效，请按 YYYY-MM-DD 填写，如 2026-12-01。", field="date"
        ) from None
    return check_date(day, "date")


def _money(values: Mapping[str, str], name: str) -> Decimal:
    raw = _required(values, name)
    try:
        return parse_money(raw, name)
    except InvalidNumber:
        raise InvalidNumber(
            f"{FIELD_LABELS[name]}“{raw}”不是有效的金额（最多两位小数）。", field=name
        ) from None


def _tax_id(values: Mapping[str, str], name: str, *, required: bool) -> str | None:
    raw = _required(values, name) if required else values.get(name)
    if raw is None:
        return None
    # An id failing its check character is kept as printed: recognition reports it.
    checked = check_tax_id(raw)
    if checked.status is TaxIdStatus.BAD_FORMAT:
        raise InvalidInput(f"{FIELD_LABELS[name]}：{checked.message}", field=name)
    return checked.tax_id
