"""What recognition returns: fields with their source and confidence, lines, checks."""

from dataclasses import dataclass, fields
from typing import Any, Literal

from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.ledger_fields import FIELD_LABELS

Source = Literal["qr", "text_layer", "ocr"]
Format = Literal["image", "pdf", "ofd"]

LINE_FIELD_NAMES = ("name", "tax_category", "quantity", "unit_price", "amount", "rate", "tax")


@dataclass(frozen=True)
class RecognizedField:
    """One value as read, normalised; `certain` only when two sources or a rule confirm it."""

    value: str
    source: Source
    confidence: float
    certain: bool

    def to_json(self) -> dict[str, Any]:
        """The field as plain JSON."""
        return {
            "value": self.value,
            "source": self.source,
            "confidence": round(self.confidence, 4),
            "certain": self.certain,
        }


@dataclass(frozen=True)
class RecognizedLine:
    """One line of the invoice's item table; a cell not read is None.

    `name` is the item's name without its tax category, which the invoice prints
    before it as `*简称*名称` and which is `tax_category` here.
    """

    name: RecognizedField | None = None
    tax_category: RecognizedField | None = None
    quantity: RecognizedField | None = None
    unit_price: RecognizedField | None = None
    amount: RecognizedField | None = None
    rate: RecognizedField | None = None
    tax: RecognizedField | None = None

    def to_json(self) -> dict[str, Any]:
        """The line as plain JSON, cells not read as null."""
        return {
            name: (cell.to_json() if cell is not None else None)
            for name in LINE_FIELD_NAMES
            for cell in (getattr(self, name),)
        }


@dataclass(frozen=True)
class Check:
    """A disagreement between sources or a failed rule, naming the field (message in Chinese)."""

    field: str
    code: str
    message: str

    def to_json(self) -> dict[str, str]:
        """The check as plain JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Recognition:
    """The fields read from one invoice document, with the checks they went through."""

    format: Format
    fields: dict[str, RecognizedField]
    lines: list[RecognizedLine]
    checks: list[Check]
    qr_payload: str | None

    def to_json(self) -> dict[str, Any]:
        """Plain JSON: fields by name (each with its label), lines, checks and the QR payload."""
        return {
            "format": self.format,
            "fields": {
                name: {**value.to_json(), "label": FIELD_LABELS[name], "text": shown(name, value)}
                for name, value in self.fields.items()
            },
            "lines": [line.to_json() for line in self.lines],
            "checks": [check.to_json() for check in self.checks],
            "qr_payload": self.qr_payload,
        }

    def value(self, name: str) -> str | None:
        """A field's value, or None when it was not read."""
        found = self.fields.get(name)
        return found.value if found is not None else None


def shown(name: str, found: RecognizedField) -> str:
    """A field's value as a person reads it: an invoice kind by its Chinese name."""
    if name == "kind":
        return next((k.label for k in InvoiceKind if k.value == found.value), found.value)
    return found.value
