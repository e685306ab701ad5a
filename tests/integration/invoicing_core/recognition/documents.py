"""Invoice documents for the recognition tests, made with the product's own renderer.

The PDF is the renderer's; the pictures are its page rasterised by PDFium (as a
scanner would give it, or turned, blurred and JPEG-compressed like a phone photo);
the OFD is written here from the PDF's text and QR code, as GB/T 33190 lays it out.
"""

import io
import zipfile
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party
from invoicing_core.domain.tax_rate import TaxRate
from invoicing_core.pdf import render_invoice_pdf

SELLER = Party(name="武汉示例科技有限公司", tax_id="91420100MA4K5R3T13")
BUYER = Party(name="上海某某贸易有限公司", tax_id="91310110666007217T")
ISSUED_AT = datetime(2026, 3, 10, 9, 30, tzinfo=CHINA_TZ)
MM = 72 / 25.4  # PDF points per millimetre


def digital_invoice() -> Invoice:
    """A digital special invoice of two lines at two rates, with a remark."""
    return Invoice(
        kind=InvoiceKind.DIGITAL_SPECIAL,
        number="26421000000000000001",
        seller=SELLER,
        buyer=BUYER,
        lines=(
            InvoiceLine.from_input(
                name="*信息技术服务*技术咨询", quantity="10", unit_price="100", tax_rate="6%"
            ),
            InvoiceLine.from_input(
                name="*计算机配套产品*键盘",
                quantity="2",
                unit_price="199.50",
                tax_rate="13%",
                unit="个",
            ),
        ),
        issued_at=ISSUED_AT,
        remark="项目编号XM-2026-031",
    )


def paper_invoice() -> Invoice:
    """A paper general invoice (code and number), one exempt line."""
    return Invoice(
        kind=InvoiceKind.PAPER_GENERAL,
        code="4200261130",
        number="00000001",
        seller=SELLER,
        buyer=Party(name="张三"),
        lines=(
            InvoiceLine(
                name="*蔬菜*白菜",
                amount=Decimal("88.00"),
                tax_rate=TaxRate.EXEMPT,
                tax=Decimal("0.00"),
            ),
        ),
        issued_at=ISSUED_AT,
    )


def pdf_of(invoice: Invoice) -> bytes:
    return render_invoice_pdf(invoice, issuer="张三")


def page_picture(pdf: bytes, longest: int = 2000) -> Image.Image:
    """The first page rasterised, its longest side `longest` px, as a scan."""
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        width, height = page.get_size()
        picture: Image.Image = page.render(scale=longest / max(width, height)).to_pil()
        return picture.convert("RGB")
    finally:
        document.close()


def png_of(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


def photo_of(picture: Image.Image, *, angle: float = 4.0, quality: int = 70) -> bytes:
    """Like a phone photo: turned a few degrees on a grey table, blurred, JPEG-compressed."""
    turned = picture.rotate(
        angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=(96, 96, 96)
    )
    blurred = turned.filter(ImageFilter.GaussianBlur(1.0))
    buffer = io.BytesIO()
    blurred.save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()


def ofd_of(invoice: Invoice, pdf: bytes) -> bytes:
    """An OFD of the invoice: the PDF's text runs as TextObjects (millimetres), its QR
    code as a picture, and the tax system's original_invoice.xml as an attachment."""
    objects, box = _text_objects(pdf)
    qr = page_picture(pdf, 2000).crop((0, 0, 400, 400))
    files: dict[str, str | bytes] = {
        "OFD.xml": _OFD_XML,
        "Doc_0/Document.xml": _DOCUMENT_XML.format(width=box[0], height=box[1]),
        "Doc_0/Pages/Page_0/Content.xml": _PAGE_XML.format(objects="".join(objects)),
        "Doc_0/Res/image_qr.png": png_of(qr),
        "Doc_0/Attachs/Attachments.xml": _ATTACHMENTS_XML,
        "Doc_0/Attachs/original_invoice.xml": _original_xml(invoice),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _text_objects(pdf: bytes) -> tuple[list[str], tuple[float, float]]:
    document = pdfium.PdfDocument(pdf)
    try:
        page = document[0]
        width, height = page.get_size()
        text = page.get_textpage()
        objects = []
        for index in range(text.count_rects()):
            left, bottom, right, top = text.get_rect(index)
            content = text.get_text_bounded(left, bottom, right, top).strip()
            if not content:
                continue
            size = (top - bottom) / MM
            x, y = left / MM, (height - top) / MM
            objects.append(
                f'<ofd:TextObject ID="{index + 10}" Boundary="{x:.2f} {y:.2f} '
                f'{(right - left) / MM:.2f} {size:.2f}" Font="1" Size="{size:.2f}">'
                f'<ofd:TextCode X="0" Y="{size:.2f}">{_escape(content)}</ofd:TextCode>'
                "</ofd:TextObject>"
            )
        return objects, (width / MM, height / MM)
    finally:
        document.close()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _original_xml(invoice: Invoice) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<fp:eInvoice xmlns:fp="http://www.edrm.org.cn/schema/e-invoice/2019">'
        f"<fp:InvoiceNo>{invoice.number}</fp:InvoiceNo>"
        f"<fp:IssueDate>{invoice.issued_at:%Y-%m-%d}</fp:IssueDate>"
        f"<fp:Buyer><fp:BuyerName>{invoice.buyer.name}</fp:BuyerName>"
        f"<fp:BuyerTaxID>{invoice.buyer.tax_id}</fp:BuyerTaxID></fp:Buyer>"
        f"<fp:Seller><fp:SellerName>{invoice.seller.name}</fp:SellerName>"
        f"<fp:SellerTaxID>{invoice.seller.tax_id}</fp:SellerTaxID></fp:Seller>"
        f"<fp:TaxExclusiveTotalAmount>{invoice.total_amount}</fp:TaxExclusiveTotalAmount>"
        f"<fp:TaxTotalAmount>{invoice.total_tax}</fp:TaxTotalAmount>"
        f"<fp:TaxInclusiveTotalAmount>{invoice.total_with_tax}</fp:TaxInclusiveTotalAmount>"
        "</fp:eInvoice>"
    )


_NS = 'xmlns:ofd="http://www.ofdspec.org/2016"'
_OFD_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD {_NS} Version="1.1" DocType="OFD">'
    "<ofd:DocBody><ofd:DocInfo><ofd:DocID>test</ofd:DocID></ofd:DocInfo>"
    "<ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>"
)
_DOCUMENT_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Document {_NS}>'
    "<ofd:CommonData><ofd:MaxUnitID>999</ofd:MaxUnitID><ofd:PageArea>"
    "<ofd:PhysicalBox>0 0 {width:.2f} {height:.2f}</ofd:PhysicalBox></ofd:PageArea>"
    "</ofd:CommonData><ofd:Pages>"
    '<ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages>'
    "<ofd:Attachments>Attachs/Attachments.xml</ofd:Attachments></ofd:Document>"
)
_PAGE_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Page {_NS}><ofd:Content>'
    '<ofd:Layer ID="2">{objects}</ofd:Layer></ofd:Content></ofd:Page>'
)
_ATTACHMENTS_XML = (
    f'<?xml version="1.0" encoding="UTF-8"?><ofd:Attachments {_NS}>'
    '<ofd:Attachment ID="3" Name="original_invoice" Format="xml">'
    "<ofd:FileLoc>original_invoice.xml</ofd:FileLoc></ofd:Attachment></ofd:Attachments>"
)


def replace_member(archive: bytes, name: str, change: Callable[[bytes], bytes]) -> bytes:
    """The zip with one member's content changed."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            target.writestr(info.filename, change(content) if info.filename == name else content)
    return buffer.getvalue()
