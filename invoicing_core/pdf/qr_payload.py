"""The text an invoice's QR code carries, read by scanners and the verification (查验) app."""

import binascii
from decimal import Decimal

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.money import format_money

PAYLOAD_VERSION = "01"


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
    return invoice.total_with_tax if invoice.kind.is_digital else invoice.total_amount


def _check(head: str) -> str:
    return f"{binascii.crc_hqx(head.encode('ascii'), 0xFFFF):04X}"
