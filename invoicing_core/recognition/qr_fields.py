"""The fields an invoice's QR code carries, as a reading of its own."""

from invoicing_core.pdf.qr_payload import carries_total_with_tax, read_qr_payload
from invoicing_core.recognition.reading import Reading


def read_qr_fields(payload: str) -> Reading | None:
    """Kind, code, number, date, the amount it carries and the check code; None if foreign."""
    found = read_qr_payload(payload)
    if found is None:
        return None
    reading = Reading("qr")
    kind = found.kind
    if kind is not None:
        reading.put("kind", kind.value)
        total = "total_with_tax" if carries_total_with_tax(kind) else "amount"
        reading.put(total, found.amount)
    reading.put("code", found.code)
    reading.put("number", found.number)
    reading.put("date", found.issued.isoformat())
    reading.put("check_code", found.check_code)
    if found.check_holds:
        reading.self_checked = set(reading.fields)
    return reading
