"""Reading the printed invoice from positioned text, page by page."""

from collections.abc import Sequence

from invoicing_core.recognition.header import read_header
from invoicing_core.recognition.items import read_items
from invoicing_core.recognition.parties import read_parties
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.remarks import read_remarks
from invoicing_core.recognition.text_lines import Page, join_spaced_characters
from invoicing_core.recognition.totals import read_totals, sum_label

# Labels only an invoice prints; a document with none of them (and no QR code) is not one.
INVOICE_LABELS = ("发票号码", "开票日期", "价税合计", "纳税人识别号", "发票代码", "校验码")


def read_printed(pages: Sequence[Page]) -> Reading:
    """Header and parties from the first page that has them, items from every page,
    totals and remark from the page that prints them (the last)."""
    reading = Reading(pages[0].source if pages else "text_layer")
    for page in pages:
        lines = join_spaced_characters(page.lines)
        read_header(lines, reading)
        read_parties(lines, reading, page.width)
        label = sum_label(lines)
        read_items(lines, reading, bottom=label.top if label is not None else None)
        read_totals(lines, reading)
        read_remarks(lines, reading)
    return reading


def looks_like_invoice(pages: Sequence[Page]) -> bool:
    """Whether the text holds at least two of the labels only invoices print."""
    text = "".join(line.key for page in pages for line in page.lines)
    return sum(label in text for label in INVOICE_LABELS) >= 2
