"""Draw an invoice onto PDF pages: header, parties, line table, totals, remark, issuer."""

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportlab.graphics.barcode.qrencoder import QRCode, QRErrorCorrectLevel
from reportlab.lib.colors import Color, black
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money
from invoicing_core.domain.party import Party
from invoicing_core.pdf import layout as L
from invoicing_core.pdf.font import invoice_font
from invoicing_core.pdf.qr_payload import invoice_qr_payload
from invoicing_core.pdf.text import clamp, fit, item_title, plain_number, wrap

CREATOR = "开票助手"


@dataclass(frozen=True)
class _Row:
    """One invoice line as wrapped cell texts, and the height they need."""

    cells: tuple[list[str], ...]

    @property
    def height(self) -> float:
        return max(len(cell) for cell in self.cells) * L.LINE_LEADING + L.ROW_PADDING


def render_invoice_pdf(
    invoice: Invoice, *, issuer: str = "", short_names: Mapping[str, str] | None = None
) -> bytes:
    """Render an invoice as PDF bytes, continuing on further pages when lines overflow.

    `issuer` is the 开票人 printed at the foot; `short_names` maps tax classification
    codes (or their prefixes) to the short names printed as `*简称*名称`.
    """
    font = invoice_font()
    rows = [_row_of(line, short_names or {}, font) for line in invoice.lines]
    pages = _paginate(rows)
    buffer = io.BytesIO()
    canvas = Canvas(
        buffer,
        pagesize=(L.PAGE_WIDTH, L.PAGE_HEIGHT),
        invariant=True,
        # Else every page references a non-embedded Helvetica (the stub mistypes this as float).
        initialFontName=font,  # type: ignore[arg-type]
        initialFontSize=L.LINE_FONT_SIZE,
    )
    title = L.TITLES[invoice.kind]
    canvas.setTitle(f"{title} {invoice.number}")
    canvas.setAuthor(invoice.seller.name)
    canvas.setSubject(invoice.kind.label)
    canvas.setCreator(CREATOR)
    # Invariant output (same invoice, same bytes) dated by the issue time, not the render.
    issued = invoice.issued_at.astimezone(CHINA_TZ).strftime("D:%Y%m%d%H%M%S+08'00'")
    canvas.setDateFormatter(lambda *_: issued)
    for page_no, page_rows in enumerate(pages, 1):
        page = _Page(canvas, font, invoice)
        page.draw(page_rows, page_no=page_no, page_count=len(pages), issuer=issuer)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _row_of(line: InvoiceLine, short_names: Mapping[str, str], font: str) -> _Row:
    mark = line.tax_rate.is_mark
    texts = (
        item_title(line, short_names),
        line.spec,
        line.unit,
        plain_number(line.quantity),
        plain_number(line.unit_price),
        format_money(line.amount),
        line.tax_rate.value,
        "***" if mark else format_money(line.tax),
    )
    cells = tuple(
        clamp(wrap(text, font, L.LINE_FONT_SIZE, column.width - 2 * mm), L.MOST_LINES_PER_CELL)
        for text, column in zip(texts, L.COLUMNS, strict=True)
    )
    return _Row(cells)


def _paginate(rows: Sequence[_Row]) -> list[list[_Row]]:
    """Fill pages with rows; only the last page gives room to totals and remark.

    Every page holds at least one row, so an overlong row still prints (clamped).
    """
    pages: list[list[_Row]] = [[]]
    for row in rows:
        if pages[-1] and _height(pages[-1]) + row.height > L.HEADER_BOTTOM - L.CONTINUED_BOTTOM:
            pages.append([])
        pages[-1].append(row)
    overflow: list[_Row] = []
    while len(pages[-1]) > 1 and _height(pages[-1]) > L.HEADER_BOTTOM - L.LINES_BOTTOM:
        overflow.insert(0, pages[-1].pop())
    return [*pages, overflow] if overflow else pages


def _height(rows: Sequence[_Row]) -> float:
    return sum(row.height for row in rows)


class _Page:
    """One page of the invoice; every page repeats header, parties and table heading."""

    def __init__(self, canvas: Canvas, font: str, invoice: Invoice) -> None:
        self.canvas = canvas
        self.font = font
        self.invoice = invoice

    def draw(self, rows: Sequence[_Row], *, page_no: int, page_count: int, issuer: str) -> None:
        last = page_no == page_count
        self._header()
        self._frame(last=last)
        self._party(L.LEFT, "购买方信息", self.invoice.buyer)
        self._party(L.MIDDLE, "销售方信息", self.invoice.seller)
        self._lines(rows)
        if last:
            self._totals()
            self._remark()
        else:
            self._text(L.MIDDLE, L.BOX_BOTTOM + 2 * mm, "（续下页）", 9, align="centre")
        self._text(L.LEFT + 2 * mm, 7 * mm, f"开票人：{issuer}", 9)
        if page_count > 1:
            self._text(L.RIGHT, 7 * mm, f"第{page_no}页 共{page_count}页", 8, align="right")

    def _header(self) -> None:
        invoice = self.invoice
        self._qr(invoice_qr_payload(invoice))
        title = L.TITLES[invoice.kind]
        self._title(title)
        if invoice.is_red:
            self._negative_mark()
        x, issued = 168 * mm, invoice.issued_at.astimezone(CHINA_TZ)
        facts = [("发票号码：", invoice.number), ("开票日期：", issued.strftime("%Y年%m月%d日"))]
        if invoice.code:
            facts.insert(0, ("发票代码：", invoice.code))
        for index, (label, value) in enumerate(facts):
            y = 126 * mm - index * 6 * mm
            self._text(x, y, label, 9, color=L.FRAME_COLOR)
            self._text(x + 17 * mm, y, value, 9)

    def _title(self, title: str) -> None:
        size, y = 17.0, 124 * mm
        self._text(L.MIDDLE, y, title, size, align="centre", color=L.FRAME_COLOR)
        half = self.canvas.stringWidth(title, self.font, size) / 2
        self.canvas.setStrokeColor(L.FRAME_COLOR)
        for offset in (2.2 * mm, 3.0 * mm):
            self.canvas.line(L.MIDDLE - half, y - offset, L.MIDDLE + half, y - offset)

    def _negative_mark(self) -> None:
        """A red stamp under the title: a red-letter invoice must be unmistakable."""
        canvas, width, height, bottom = self.canvas, 22 * mm, 8 * mm, 108 * mm
        canvas.setStrokeColor(L.NEGATIVE_COLOR)
        canvas.setLineWidth(1.2)
        canvas.roundRect(L.MIDDLE - width / 2, bottom, width, height, 1.5 * mm)
        canvas.setLineWidth(1)
        self._text(L.MIDDLE, bottom + 2.2 * mm, "负数", 13, align="centre", color=L.NEGATIVE_COLOR)

    def _qr(self, payload: str) -> None:
        """Draw the QR code module by module (a reportlab Drawing would pull in Helvetica)."""
        code = QRCode(None, QRErrorCorrectLevel.M)
        code.addData(payload)
        code.make()
        count, modules = code.moduleCount, code.modules
        # A quiet zone of 4 modules on every side, as scanners expect.
        module = L.QR_SIZE / (count + 8)
        left, top = L.QR_LEFT + 4 * module, L.QR_BOTTOM + L.QR_SIZE - 4 * module
        path = self.canvas.beginPath()
        for row in range(count):
            for col in range(count):
                if modules[row][col]:
                    path.rect(left + col * module, top - (row + 1) * module, module, module)
        self.canvas.setFillColor(black)
        self.canvas.drawPath(path, stroke=0, fill=1)

    def _frame(self, *, last: bool) -> None:
        """The ruled box; pages before the last give the totals' room to more lines."""
        canvas = self.canvas
        canvas.setStrokeColor(L.FRAME_COLOR)
        canvas.rect(L.LEFT, L.BOX_BOTTOM, L.RIGHT - L.LEFT, L.BOX_TOP - L.BOX_BOTTOM)
        canvas.line(L.LEFT, L.PARTIES_BOTTOM, L.RIGHT, L.PARTIES_BOTTOM)
        canvas.line(L.MIDDLE, L.PARTIES_BOTTOM, L.MIDDLE, L.BOX_TOP)
        for x in (L.LEFT, L.MIDDLE):
            canvas.line(x + L.SIDE_LABEL_WIDTH, L.PARTIES_BOTTOM, x + L.SIDE_LABEL_WIDTH, L.BOX_TOP)
        if last:
            for y in (L.TOTAL_BOTTOM, L.PRICE_TAX_BOTTOM):
                canvas.line(L.LEFT, y, L.RIGHT, y)
            side = L.LEFT + L.SIDE_LABEL_WIDTH
            canvas.line(side, L.BOX_BOTTOM, side, L.PRICE_TAX_BOTTOM)
        for index, column in enumerate(L.COLUMNS):
            x = L.column_left(index) + column.width / 2
            self._text(
                x,
                L.HEADER_BOTTOM + 1.8 * mm,
                column.heading,
                8.5,
                align="centre",
                color=L.FRAME_COLOR,
            )

    def _side_label(self, x: float, top: float, bottom: float, label: str) -> None:
        """Write a label top to bottom in the narrow column at the box's left."""
        step = (top - bottom) / (len(label) + 1)
        for index, char in enumerate(label, 1):
            y = top - index * step - 1.2 * mm
            self._text(
                x + L.SIDE_LABEL_WIDTH / 2, y, char, 8.5, align="centre", color=L.FRAME_COLOR
            )

    def _party(self, x: float, label: str, party: Party) -> None:
        self._side_label(x, L.BOX_TOP, L.PARTIES_BOTTOM, label)
        left = x + L.SIDE_LABEL_WIDTH + 2 * mm
        width = L.MIDDLE - L.LEFT - L.SIDE_LABEL_WIDTH - 4 * mm
        name_label = "名称："
        self._text(left, 97 * mm, name_label, 9, color=L.FRAME_COLOR)
        indent = self.canvas.stringWidth(name_label, self.font, 9)
        size, lines = fit(party.name, self.font, width - indent, size=9.5, smallest=6.5, most=2)
        for index, text in enumerate(lines):
            self._text(left + indent, 97 * mm - index * 3.4 * mm, text, size)
        id_label = "统一社会信用代码/纳税人识别号："
        self._text(left, 88 * mm, id_label, 9, color=L.FRAME_COLOR)
        id_x = left + self.canvas.stringWidth(id_label, self.font, 9)
        self._text(id_x, 88 * mm, party.tax_id or "", 9.5)

    def _lines(self, rows: Sequence[_Row]) -> None:
        top = L.HEADER_BOTTOM - 1 * mm
        for row in rows:
            for index, (cell, column) in enumerate(zip(row.cells, L.COLUMNS, strict=True)):
                for line_index, text in enumerate(cell):
                    y = top - (line_index + 1) * L.LINE_LEADING + 0.8 * mm
                    self._cell_text(index, column, y, text)
            top -= row.height

    def _cell_text(self, index: int, column: L.Column, y: float, text: str) -> None:
        left = L.column_left(index)
        if column.align == "left":
            self._text(left + 1 * mm, y, text, L.LINE_FONT_SIZE)
        elif column.align == "right":
            self._text(left + column.width - 1 * mm, y, text, L.LINE_FONT_SIZE, align="right")
        else:
            self._text(left + column.width / 2, y, text, L.LINE_FONT_SIZE, align="centre")

    def _totals(self) -> None:
        invoice, y = self.invoice, L.TOTAL_BOTTOM + 2 * mm
        self._text(
            L.column_left(0) + 32 * mm, y, "合　　计", 9, align="centre", color=L.FRAME_COLOR
        )
        for index, value in (
            (L.AMOUNT_COLUMN, invoice.total_amount),
            (L.TAX_COLUMN, invoice.total_tax),
        ):
            right = L.column_left(index) + L.COLUMNS[index].width - 1 * mm
            self._text(right, y, f"¥{format_money(value)}", 9, align="right")
        y = L.PRICE_TAX_BOTTOM + 2.8 * mm
        self._text(L.LEFT + 2 * mm, y, "价税合计（大写）", 9, color=L.FRAME_COLOR)
        self._text(L.LEFT + 32 * mm, y, f"⊗{invoice.total_with_tax_upper}", 10)
        self._text(168 * mm, y, "（小写）", 9, color=L.FRAME_COLOR)
        self._text(182 * mm, y, f"¥{format_money(invoice.total_with_tax)}", 10)

    def _remark(self) -> None:
        self._side_label(L.LEFT, L.PRICE_TAX_BOTTOM, L.BOX_BOTTOM, "备注")
        left = L.LEFT + L.SIDE_LABEL_WIDTH + 2 * mm
        width = L.RIGHT - left - 2 * mm
        size, lines = fit(
            _remark_text(self.invoice), self.font, width, size=8.5, smallest=6.5, most=4
        )
        for index, text in enumerate(lines):
            y = L.PRICE_TAX_BOTTOM - 4 * mm - index * (size + 2.5)
            color = L.NEGATIVE_COLOR if self.invoice.is_red and index == 0 else black
            self._text(left, y, text, size, color=color)

    def _text(
        self,
        x: float,
        y: float,
        text: str,
        size: float,
        *,
        align: str = "left",
        color: Color = black,
    ) -> None:
        canvas = self.canvas
        canvas.setFont(self.font, size)
        canvas.setFillColor(color)
        if align == "right":
            canvas.drawRightString(x, y, text)
        elif align == "centre":
            canvas.drawCentredString(x, y, text)
        else:
            canvas.drawString(x, y, text)


def _remark_text(invoice: Invoice) -> str:
    """The remark; a red-letter invoice first names the blue invoice it negates and why."""
    if not invoice.is_red:
        return invoice.remark
    head = f"对应正数发票号码：{invoice.red_of}"
    if invoice.red_reason is not None:
        head += f"　红冲原因：{invoice.red_reason.label}"
    return head + ("\n" + invoice.remark if invoice.remark else "")
