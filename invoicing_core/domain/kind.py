"""Invoice kinds: digital (数电) or paper, special (专用) or general (普通)."""

from enum import Enum


class InvoiceKind(Enum):
    """An invoice kind; the value is the API's name for it."""

    DIGITAL_SPECIAL = "digital_special"
    DIGITAL_GENERAL = "digital_general"
    PAPER_SPECIAL = "paper_special"
    PAPER_GENERAL = "paper_general"

    @property
    def label(self) -> str:
        """The kind's name as users know it."""
        return _LABELS[self]

    @property
    def is_digital(self) -> bool:
        """Whether this is a fully digital invoice (数电发票), which can never be voided."""
        return self in (InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.DIGITAL_GENERAL)

    @property
    def is_special(self) -> bool:
        """Whether this is a special VAT invoice, which the buyer may deduct input tax from."""
        return self in (InvoiceKind.DIGITAL_SPECIAL, InvoiceKind.PAPER_SPECIAL)

    @property
    def qr_code(self) -> str:
        """The kind code in the invoice's QR payload (01 and 04 are the paper codes; verify)."""
        return _QR_CODES[self]


_LABELS = {
    InvoiceKind.DIGITAL_SPECIAL: "数电发票（增值税专用发票）",
    InvoiceKind.DIGITAL_GENERAL: "数电发票（普通发票）",
    InvoiceKind.PAPER_SPECIAL: "增值税专用发票（纸质）",
    InvoiceKind.PAPER_GENERAL: "增值税普通发票（纸质）",
}

_QR_CODES = {
    InvoiceKind.DIGITAL_SPECIAL: "31",
    InvoiceKind.DIGITAL_GENERAL: "32",
    InvoiceKind.PAPER_SPECIAL: "01",
    InvoiceKind.PAPER_GENERAL: "04",
}
