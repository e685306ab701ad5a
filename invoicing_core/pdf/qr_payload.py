"""The text an invoice's QR code carries, read by scanners and the verification (查验) app."""

import binascii
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.money import format_money

PAYLOAD_VERSION = "01"
_FIELD_COUNT = 8


def invoice_qr_payload(invoice: Invoice) -> str:
    """Build `01,<kind code>,<paper code>,<number>,<amount>,<YYYYMMDD>,,<check>`.

    A digital invoice has no invoice code, so its third field is empty:
    `01,31,,26421000000000000001,1130.00,20260310,,8A3F`.

    (verify) Amount: a digital invoice carries its price-tax total (价税合计), since
    verifying a digital invoice asks for number, date and price-tax total; a red-letter
    invoice carries its negative total. A paper invoice (printed from this system only
    as a copy) carries its tax-exclusive total, as the old VAT verification asked for.

    (verify) Check: the tax system's own check algorithm is not published. We write a
    CRC-16/CCITT (4 upper-case hex digits) over everything before it, so the field has
    the official shape and a scanner reading our own invoices can detect a misread;
    the tax bureau's scanners read number, date and amount and do not depend on it.
    Change `_check` alone once the official algorithm is known.
    """
    issued = invoice.issued_at.astimezone(CHINA_TZ).strftime("%Y%m%d")
    head = ",".join(
        (
            PAYLOAD_VERSION,
            invoice.kind.qr_code,
            invoice.code or "",
            invoice.number,
            format_money(_qr_amount(invoice)),
            issued,
            "",
        )
    )
    return f"{head},{_check(head)}"


def _qr_amount(invoice: Invoice) -> Decimal:
    return invoice.total_with_tax if carries_total_with_tax(invoice.kind) else invoice.total_amount


def carries_total_with_tax(kind: InvoiceKind) -> bool:
    """Whether the payload's amount is the price-tax total (digital) or tax-exclusive (paper)."""
    return kind.is_digital


@dataclass(frozen=True)
class QrPayloadFields:
    """A payload read back: its fields as printed, and whether its check holds.

    Other issuers' payloads have the same shape; their seventh field may carry the
    invoice's check code (校验码), and their last field is not our CRC, so a check that
    fails says nothing about them (`check_holds` is only a confirmation).
    """

    kind_code: str
    code: str
    number: str
    amount: str
    issued: date
    check_code: str
    check: str
    check_holds: bool

    @property
    def kind(self) -> InvoiceKind | None:
        """The invoice kind the kind code names, if it is one of ours."""
        return next((kind for kind in InvoiceKind if kind.qr_code == self.kind_code), None)


def read_qr_payload(payload: str) -> QrPayloadFields | None:
    """Split a payload as `invoice_qr_payload` writes it; None if it is not one."""
    parts = payload.strip().split(",")
    if len(parts) < _FIELD_COUNT - 1 or not parts[0].isdigit():
        return None
    version, kind_code, code, number, amount, issued, check_code = parts[:7]
    check = parts[7] if len(parts) > 7 else ""
    if len(issued) != 8 or not number.isdigit() or not kind_code.isdigit():
        return None
    try:
        when = date(int(issued[:4]), int(issued[4:6]), int(issued[6:8]))
        value = Decimal(amount)
    except (ValueError, ArithmeticError):
        return None
    if not value.is_finite():
        return None
    head = ",".join((version, kind_code, code, number, amount, issued, check_code))
    return QrPayloadFields(
        kind_code=kind_code,
        code=code,
        number=number,
        amount=format_money(value),
        issued=when,
        check_code=check_code,
        check=check,
        check_holds=check == _check(head),
    )


def _check(head: str) -> str:
    return f"{binascii.crc_hqx(head.encode('ascii'), 0xFFFF):04X}"
