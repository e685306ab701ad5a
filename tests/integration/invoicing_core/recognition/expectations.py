"""What a recognition of a rendered invoice must say: its fields and lines, exactly."""

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.money import format_money
from invoicing_core.recognition import Recognition


def header_of(invoice: Invoice) -> dict[str, str]:
    """The header and total fields as recognition normalises them."""
    expected = {
        "kind": invoice.kind.value,
        "number": invoice.number,
        "date": invoice.issued_at.astimezone(CHINA_TZ).date().isoformat(),
        "seller_name": invoice.seller.name,
        "seller_tax_id": invoice.seller.tax_id or "",
        "buyer_name": invoice.buyer.name,
        "amount": format_money(invoice.total_amount),
        "tax": format_money(invoice.total_tax),
        "total_with_tax": format_money(invoice.total_with_tax),
        "total_in_words": invoice.total_with_tax_upper,
    }
    if invoice.buyer.tax_id:
        expected["buyer_tax_id"] = invoice.buyer.tax_id
    if invoice.code:
        expected["code"] = invoice.code
    if invoice.remark:
        expected["remarks"] = invoice.remark
    return expected


def lines_of(invoice: Invoice) -> list[dict[str, str]]:
    """Each line's amount, rate and tax as recognition normalises them."""
    return [
        {
            "amount": format_money(line.amount),
            "rate": line.tax_rate.value if line.tax_rate.is_mark else f"{line.tax_rate.rate:.2f}",
            "tax": format_money(line.tax),
        }
        for line in invoice.lines
    ]


def read_header(recognition: Recognition, names: list[str]) -> dict[str, str | None]:
    return {name: recognition.value(name) for name in names}


def read_lines(recognition: Recognition) -> list[dict[str, str | None]]:
    return [
        {
            name: cell.value if cell is not None else None
            for name in ("amount", "rate", "tax")
            for cell in (getattr(line, name),)
        }
        for line in recognition.lines
    ]


def wrong_but_certain(recognition: Recognition, invoice: Invoice) -> list[str]:
    """Fields reported certain whose value is not the invoice's: must always be none."""
    expected = header_of(invoice)
    wrong = [
        name
        for name, found in recognition.fields.items()
        if found.certain and name in expected and found.value != expected[name]
    ]
    for index, (line, truth) in enumerate(zip(recognition.lines, lines_of(invoice), strict=False)):
        for name, value in truth.items():
            cell = getattr(line, name)
            if cell is not None and cell.certain and cell.value != value:
                wrong.append(f"lines[{index}].{name}")
    return wrong
