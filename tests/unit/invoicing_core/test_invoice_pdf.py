import io
from collections.abc import Callable
from datetime import datetime

from pypdf import PageObject, PdfReader
from pypdf.generic import DictionaryObject, PdfObject

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.pdf import invoice_qr_payload, render_invoice_pdf
from invoicing_core.pdf.font import FONT_NAME
from invoicing_core.pdf.text import item_title, wrap

MakeInvoice = Callable[..., Invoice]
MakeLine = Callable[..., InvoiceLine]
RED_AT = datetime(2026, 3, 12, 10, 0, tzinfo=CHINA_TZ)


def pdf_text(pdf: bytes) -> str:
    """All text of a PDF, page after page, as a viewer's copy would give it."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_pdf_shows_number_parties_and_uppercase_total(make_invoice: MakeInvoice) -> None:
    invoice = make_invoice()
    text = pdf_text(render_invoice_pdf(invoice, issuer="张三"))
    assert invoice.number in text
    assert "上海某某贸易有限公司" in text
    assert "武汉示例科技有限公司" in text
    assert invoice.total_with_tax_upper == "壹仟壹佰叁拾圆整"
    assert invoice.total_with_tax_upper in text
    assert "¥1130.00" in text
    assert "电子发票（增值税专用发票）" in text
    assert "开票日期：" in text and "2026年03月10日" in text
    assert "开票人：张三" in text


def test_pdf_titles_follow_the_kind(make_invoice: MakeInvoice) -> None:
    general = pdf_text(render_invoice_pdf(make_invoice(InvoiceKind.DIGITAL_GENERAL)))
    paper = pdf_text(render_invoice_pdf(make_invoice(InvoiceKind.PAPER_SPECIAL)))
    assert "电子发票（普通发票）" in general
    assert "增值税专用发票" in paper and "发票代码：" in paper and "4200261130" in paper


def test_red_letter_pdf_is_marked_negative_and_names_the_blue_invoice(
    make_invoice: MakeInvoice,
) -> None:
    blue = make_invoice(remark="原合同HT-1")
    red = blue.red_letter("销货退回", number="26421000000000000002", at=RED_AT)
    text = pdf_text(render_invoice_pdf(red))
    assert "负数" in text
    assert "¥-1130.00" in text
    assert "（负数）壹仟壹佰叁拾圆整" in text
    assert f"对应正数发票号码：{blue.number}" in text
    assert "红冲原因：销货退回" in text


def test_blue_pdf_carries_no_negative_mark(make_invoice: MakeInvoice) -> None:
    assert "负数" not in pdf_text(render_invoice_pdf(make_invoice()))


def dictionary(value: object) -> DictionaryObject:
    """A PDF dictionary, behind its reference if need be (pypdf types values as any object)."""
    resolved = value.get_object() if isinstance(value, PdfObject) else value
    assert isinstance(resolved, DictionaryObject), resolved
    return resolved


def fonts_of(page: PageObject) -> list[DictionaryObject]:
    """The font dictionaries a page uses."""
    return [
        dictionary(font) for font in dictionary(dictionary(page["/Resources"])["/Font"]).values()
    ]


def test_the_cjk_font_is_embedded_as_truetype(make_invoice: MakeInvoice) -> None:
    pdf = render_invoice_pdf(make_invoice())
    fonts = [font for page in PdfReader(io.BytesIO(pdf)).pages for font in fonts_of(page)]
    descriptors = [
        dictionary(font["/FontDescriptor"]) for font in fonts if "/FontDescriptor" in font
    ]
    assert descriptors and all("/FontFile2" in descriptor for descriptor in descriptors)
    assert all(FONT_NAME in str(font["/BaseFont"]) for font in fonts)


def test_same_invoice_renders_to_the_same_bytes(make_invoice: MakeInvoice) -> None:
    invoice = make_invoice()
    assert render_invoice_pdf(invoice) == render_invoice_pdf(invoice)


def test_many_lines_continue_on_further_pages(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    lines = tuple(make_line(str(n), "10") for n in range(1, 31))
    pdf = render_invoice_pdf(make_invoice(lines=lines))
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    assert len(pages) > 1
    assert all("（续下页）" in page for page in pages[:-1])
    assert "价税合计" in pages[-1] and all("价税合计" not in page for page in pages[:-1])
    amounts = [f"{n * 10}.00" for n in range(1, 31)]
    assert all(amount in "".join(pages) for amount in amounts)
    assert f"第{len(pages)}页 共{len(pages)}页" in pages[-1]


def test_an_overlong_name_and_remark_still_print(
    make_invoice: MakeInvoice, make_line: MakeLine
) -> None:
    long_line = InvoiceLine.from_input(
        name="超长商品名称" * 60, quantity="1", unit_price="100", tax_rate="13%"
    )
    pdf = render_invoice_pdf(make_invoice(lines=(long_line, make_line()), remark="备注" * 115))
    text = pdf_text(pdf)
    assert "超长商品名称" in text and "…" in text
    assert "1000.00" in text


def test_exempt_lines_print_stars_for_tax(make_invoice: MakeInvoice) -> None:
    exempt = InvoiceLine.from_input(name="图书", quantity="2", unit_price="50", tax_rate="免税")
    text = pdf_text(render_invoice_pdf(make_invoice(lines=(exempt,))))
    assert "免税" in text and "***" in text


def test_item_title_uses_the_longest_known_code_prefix(make_line: MakeLine) -> None:
    line = InvoiceLine.from_input(
        name="技术咨询", tax_code="3040201000000000000", quantity="1", unit_price="1", tax_rate="6%"
    )
    short_names = {"304": "现代服务", "3040201": "信息技术服务"}
    assert item_title(line, short_names) == "*信息技术服务*技术咨询"
    assert item_title(line, {}) == "技术咨询"
    assert item_title(make_line(), short_names) == "*信息技术服务*技术咨询"


def test_wrapping_never_starts_a_line_with_closing_punctuation() -> None:
    from invoicing_core.pdf.font import invoice_font

    font = invoice_font()
    lines = wrap("办公用品（超长名称测试）（超长名称测试）", font, 8, 60)
    assert len(lines) > 1
    assert all(not line.startswith(("）", "，", "。")) for line in lines)
    assert "".join(lines) == "办公用品（超长名称测试）（超长名称测试）"


def test_qr_payload_of_a_digital_invoice(make_invoice: MakeInvoice) -> None:
    payload = invoice_qr_payload(make_invoice())
    fields = payload.split(",")
    assert fields[:7] == ["01", "31", "", "26421000000000000001", "1130.00", "20260310", ""]
    assert len(fields) == 8 and len(fields[7]) == 4
    assert int(fields[7], 16) >= 0
    assert payload == "01,31,,26421000000000000001,1130.00,20260310,," + fields[7]


def test_qr_payload_check_changes_with_the_content(make_invoice: MakeInvoice) -> None:
    one = invoice_qr_payload(make_invoice())
    other = invoice_qr_payload(make_invoice(number="26421000000000000009"))
    assert one.rsplit(",", 1)[1] != other.rsplit(",", 1)[1]


def test_qr_payload_of_general_red_and_paper_invoices(make_invoice: MakeInvoice) -> None:
    general = make_invoice(InvoiceKind.DIGITAL_GENERAL)
    assert invoice_qr_payload(general).startswith("01,32,,26421000000000000001,1130.00,")
    red = general.red_letter("1", number="26421000000000000002", at=RED_AT)
    assert ",-1130.00,20260312,," in invoice_qr_payload(red)
    paper = make_invoice(InvoiceKind.PAPER_SPECIAL)
    assert invoice_qr_payload(paper).startswith("01,01,4200261130,00000001,1000.00,20260310,,")


def test_qr_payload_dates_in_china_time(make_invoice: MakeInvoice) -> None:
    late_utc = datetime(2026, 3, 10, 17, 0, tzinfo=CHINA_TZ).astimezone(CHINA_TZ.utc)
    assert ",20260310,," in invoice_qr_payload(make_invoice(issued_at=late_utc))
    after_midnight = datetime(2026, 3, 10, 16, 30, tzinfo=CHINA_TZ.utc)
    assert ",20260311,," in invoice_qr_payload(make_invoice(issued_at=after_midnight))
