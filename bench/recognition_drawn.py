"""A second invoice layout, drawn with Pillow, independent of the product's PDF renderer.

Two arrangements, both unlike the renderer's:

- `vat_paper` (paper kinds): the old VAT invoice form. The province's title with the
  监制章 over it, 发票联, the invoice code and a red "No" number pre-printed and the
  same values printed again top right, a 校验码 (general invoices), 机器编号, the buyer
  on top beside a 密码区 full of cipher characters, the seller at the bottom beside the
  remark, address/phone and bank/account rows full of digits, 收款人/复核/开票人 and the
  seller's red 发票专用章 carrying its tax id. The printed values are in a monospaced
  face and offset from the form as a dot-matrix printer leaves them. About one in six
  carries no QR code, as paper invoices before 2017 did not.
- `digital_alt` (digital kinds): the QR top right, number and date top left, buyer
  and seller in full-width bands one above the other, a table without column rules.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from PIL import Image

from bench.recognition_invoices import CITIES, qr_payload
from bench.recognition_sheet import BLACK, MONOSPACED, PROPORTIONAL, Colour, Sheet
from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money
from invoicing_core.pdf.render import _remark_text as remark_text
from invoicing_core.pdf.text import plain_number

WIDTH, HEIGHT = 240.0, 140.0
PROVINCE_NAMES = {
    "11": "北京", "12": "天津", "31": "上海", "32": "江苏", "33": "浙江", "35": "福建",
    "37": "山东", "42": "湖北", "44": "广东", "50": "重庆", "51": "四川", "61": "陕西",
}  # fmt: skip
BANKS = ("中国工商银行", "中国建设银行", "招商银行", "中国银行", "交通银行", "兴业银行")
ROADS = ("解放", "人民", "建设", "中山", "长江", "光谷大道", "科技园", "滨江")
# Columns of the line table: left edge (mm), alignment; the last ends at the box's right.
COLUMNS = (
    (8, "l"),
    (70, "l"),
    (93, "m"),
    (104, "r"),
    (122, "r"),
    (148, "r"),
    (178, "m"),
    (192, "r"),
)
RIGHT = 232.0


@dataclass(frozen=True)
class DrawnPage:
    """The drawn page, its arrangement, its QR code (the mm box it fills, None if there is
    none, and the payload) and the 校验码 it prints (None if none)."""

    image: Image.Image
    layout: str
    qr_box: tuple[float, float, float, float] | None
    qr_payload: str
    check_code: str | None


def draw_invoice(invoice: Invoice, rng: random.Random, ppm: float = 12.0) -> DrawnPage:
    """Draw `invoice` in the arrangement for its kind (paper or digital)."""
    if invoice.kind.is_digital:
        return _digital_alt(invoice, rng, ppm)
    return _vat_paper(invoice, rng, ppm)


def _cells(line: InvoiceLine) -> tuple[str, ...]:
    return (
        line.name,
        line.spec,
        line.unit,
        plain_number(line.quantity),
        plain_number(line.unit_price),
        format_money(line.amount),
        line.tax_rate.value,
        "***" if line.tax_rate.is_mark else format_money(line.tax),
    )


def _table(
    sheet: Sheet,
    top: float,
    lines: tuple[InvoiceLine, ...],
    face: int,
    *,
    shift: tuple[float, float] = (0.0, 0.0),
    ink: Colour = BLACK,
) -> None:
    """The lines, 4.2 mm apart, each cell shrunk to fit its column (printed `shift` off)."""
    dx, dy = shift
    for row, line in enumerate(lines):
        y = top + 2.6 + row * 4.2 + dy
        for index, (text, (left, align)) in enumerate(zip(_cells(line), COLUMNS, strict=True)):
            right = COLUMNS[index + 1][0] if index + 1 < len(COLUMNS) else RIGHT
            width = right - left - 2
            if align == "l":
                sheet.text(left + 1 + dx, y, text, 2.9, fill=ink, face=face, width=width)
            elif align == "r":
                sheet.text(
                    right - 1 + dx, y, text, 2.9, fill=ink, anchor="rm", face=face, width=width
                )
            else:
                sheet.text(
                    (left + right) / 2 + dx,
                    y,
                    text,
                    2.9,
                    fill=ink,
                    anchor="mm",
                    face=face,
                    width=width,
                )


def _headings(sheet: Sheet, y: float, colour: Colour, first: str) -> None:
    titles = (first, "规格型号", "单位", "数量", "单价", "金额", "税率/征收率", "税额")
    for index, (title, (left, _)) in enumerate(zip(titles, COLUMNS, strict=True)):
        right = COLUMNS[index + 1][0] if index + 1 < len(COLUMNS) else RIGHT
        sheet.text(
            (left + right) / 2, y, title, 2.8, fill=colour, anchor="mm", width=right - left - 1
        )


def _contact(rng: random.Random) -> tuple[str, str]:
    """Address and phone, bank and account: rows of digits a reader must not take for ids."""
    city = rng.choice(CITIES)
    phone = f"0{rng.randint(10, 99)}-{rng.randint(10**7, 10**8 - 1)}"
    address = f"{city}市{rng.choice(ROADS)}路{rng.randint(1, 999)}号 {phone}"
    bank = f"{rng.choice(BANKS)}{city}分行 {rng.randint(10**18, 10**19 - 1)}"
    return address, bank


def _money(value: str) -> str:
    return f"¥{value}"


def _vat_paper(invoice: Invoice, rng: random.Random, ppm: float) -> DrawnPage:
    special = invoice.kind.is_special
    frame: Colour = (139, 58, 43) if special else (40, 84, 120)
    sheet = Sheet(WIDTH, HEIGHT, ppm, (252, 250, 243))
    code = invoice.code or ""
    province = PROVINCE_NAMES.get(code[1:3] if len(code) == 12 else code[:2], "")
    title = f"{province}增值税{'专用' if special else '普通'}发票"
    issued = invoice.issued_at.astimezone(CHINA_TZ)
    # Paper general invoices print a 20-digit 校验码, carried in the QR's seventh field too.
    check = None if special else "".join(rng.choice("0123456789") for _ in range(20))
    payload = qr_payload(invoice, check)

    # The form: pre-printed in the frame colour.
    qr_box = sheet.qr(payload, 9, 3, 22) if rng.random() > 0.17 else None
    sheet.text(120, 12, title, 7.0, fill=frame, anchor="mm")
    half = len(title) * 3.6
    for offset in (17.0, 18.0):
        sheet.line(120 - half, offset, 120 + half, offset, frame)
    sheet.text(120, 23, "发  票  联", 3.6, fill=frame, anchor="mm")
    sheet.oval_stamp(
        120, 12, 17, 9, [("全国统一发票监制章", -4.5, 2.4), ("国家税务总局监制", 5, 2.2)]
    )
    sheet.text(33 if qr_box else 10, 10, code, 5.0, fill=frame, face=MONOSPACED)
    sheet.text(178, 9, f"No {invoice.number}", 5.5, fill=(190, 30, 30), face=MONOSPACED)
    labels = ["开票日期：", "发票代码：", "发票号码："] + ([] if special else ["校  验  码："])
    for index, label in enumerate(labels):
        sheet.text(165, 16 + index * 4.5, label, 3.0, fill=frame)
    sheet.text(10 if not qr_box else 33, 22, "机器编号：", 3.0, fill=frame)
    sheet.rect(8, 34, RIGHT, 128, frame)
    for y in (54, 59, 94, 99, 105):
        sheet.line(8, y, RIGHT, y, frame)
    for x in (14, 150, 156):
        sheet.line(x, 34, x, 54, frame)
        sheet.line(x, 105, x, 128, frame)
    sheet.vertical(11, 34, 54, "购买方", frame)
    sheet.vertical(11, 105, 128, "销售方", frame)
    sheet.vertical(153, 34, 54, "密码区", frame)
    sheet.vertical(153, 105, 128, "备注", frame)
    party_labels = ("名        称：", "纳税人识别号：", "地 址、电 话：", "开户行及账号：")
    for index, label in enumerate(party_labels):
        sheet.text(15.5, 37.5 + index * 4.8, label, 2.9, fill=frame)
        sheet.text(15.5, 108.5 + index * 4.8, label, 2.9, fill=frame)
    _headings(sheet, 56.5, frame, "货物或应税劳务、服务名称")
    sheet.text(39, 96.5, "合        计", 3.0, fill=frame, anchor="mm")
    sheet.text(10, 102, "价税合计（大写）", 3.0, fill=frame)
    sheet.text(172, 102, "（小写）", 3.0, fill=frame)
    foot = ("收款人：", "复核：", "开票人：", "销售方：（章）")
    for index, label in enumerate(foot):
        sheet.text(12 + index * 55, 133, label, 3.0, fill=frame)

    # The printed values: monospaced, shifted as the printer fed the form.
    dx, dy = rng.uniform(-1.0, 1.0), rng.uniform(-0.8, 0.8)
    ink: Colour = rng.choice(((25, 25, 30), (40, 30, 70), (30, 30, 60)))

    def put(
        x: float,
        y: float,
        text: str,
        size: float = 3.1,
        anchor: str = "lm",
        width: float | None = None,
    ) -> None:
        sheet.text(
            x + dx, y + dy, text, size, fill=ink, face=MONOSPACED, anchor=anchor, width=width
        )

    values = [issued.strftime("%Y年%m月%d日"), code, invoice.number]
    if check is not None:
        values.append(" ".join(check[i : i + 5] for i in range(0, 20, 5)))
    for index, value in enumerate(values):
        put(183, 16 + index * 4.5, value)
    put((10 if not qr_box else 33) + 17, 22, f"{rng.randint(10**11, 10**12 - 1)}")
    for top, party in ((37.5, invoice.buyer), (108.5, invoice.seller)):
        address, bank = _contact(rng)
        for index, text in enumerate((party.name, party.tax_id or "", address, bank)):
            put(40, top + index * 4.8, text, 3.1 if index < 2 else 2.7, width=108)
    cipher = "0123456789+-*/<>"
    for row in range(4):
        text = "".join(rng.choice(cipher) for _ in range(27))
        put(158, 37 + row * 4.6, text, 3.0, width=72)
    if invoice.is_red:
        put(20, 89, "销项负数", 3.2)
    _table(sheet, 59, invoice.lines, MONOSPACED, shift=(dx, dy), ink=ink)
    put(177, 96.5, _money(format_money(invoice.total_amount)), anchor="rm")
    put(231, 96.5, _money(format_money(invoice.total_tax)), anchor="rm")
    put(45, 102, f"⊗{invoice.total_with_tax_upper}", 3.3, width=120)
    put(186, 102, _money(format_money(invoice.total_with_tax)), 3.3)
    for index, text in enumerate(remark_text(invoice).splitlines()):
        put(158, 109 + index * 4.5, text, 2.7, width=72)
    put(137, 133, invoice.issued_by or "")
    seller = invoice.seller
    sheet.oval_stamp(
        205 + rng.uniform(-6, 4),
        126 + rng.uniform(-3, 3),
        19,
        11,
        [(seller.name, -5.5, 2.3), (seller.tax_id or "", 0, 2.8), ("发票专用章", 6, 2.6)],
    )
    return DrawnPage(sheet.image, "vat_paper", qr_box, payload, check)


def _digital_alt(invoice: Invoice, rng: random.Random, ppm: float) -> DrawnPage:
    frame: Colour = rng.choice(((150, 62, 46), (120, 52, 40)))
    sheet = Sheet(WIDTH, HEIGHT, ppm, (255, 255, 255))
    title = "电子发票（增值税专用发票）" if invoice.kind.is_special else "电子发票（普通发票）"
    issued = invoice.issued_at.astimezone(CHINA_TZ)
    province = PROVINCE_NAMES.get(invoice.number[2:4], "湖北")
    sheet.oval_stamp(
        120,
        13,
        19,
        9.5,
        [("全国统一发票监制章", -4.5, 2.4), (f"国家税务总局{province}税务局", 5, 2.0)],
    )
    sheet.text(120, 13, title, 6.2, fill=frame, anchor="mm")
    payload = qr_payload(invoice)
    qr_box = sheet.qr(payload, 207, 3, 25)
    for index, (label, value) in enumerate(
        (("发票号码：", invoice.number), ("开票日期：", issued.strftime("%Y年%m月%d日")))
    ):
        sheet.text(10, 10 + index * 6, label, 3.2, fill=frame)
        sheet.text(28, 10 + index * 6, value, 3.4)
    sheet.rect(8, 31, RIGHT, 128, frame)
    for y in (45, 59, 100, 105.5, 111.5):
        sheet.line(8, y, RIGHT, y, frame)
    sheet.line(30, 31, 30, 59, frame)
    sheet.line(30, 105.5, 30, 128, frame)
    for top, label, party in (
        (31, "购买方信息", invoice.buyer),
        (45, "销售方信息", invoice.seller),
    ):
        sheet.text(19, top + 7, label, 3.0, fill=frame, anchor="mm")
        sheet.text(33, top + 4, "名称：", 3.0, fill=frame)
        sheet.text(45, top + 4, party.name, 3.3, width=180)
        sheet.text(33, top + 10, "统一社会信用代码/纳税人识别号：", 3.0, fill=frame)
        sheet.text(85, top + 10, party.tax_id or "", 3.3)
    _headings(sheet, 61.5, frame, "项目名称")
    _table(sheet, 63.5, invoice.lines, PROPORTIONAL)
    sheet.text(30, 102.7, "合　　计", 3.0, fill=frame, anchor="mm")
    sheet.text(177, 102.7, _money(format_money(invoice.total_amount)), 3.1, anchor="rm")
    sheet.text(231, 102.7, _money(format_money(invoice.total_tax)), 3.1, anchor="rm")
    sheet.text(19, 108.5, "价税合计（大写）", 2.8, fill=frame, anchor="mm", width=21)
    sheet.text(33, 108.5, f"⊗{invoice.total_with_tax_upper}", 3.4, width=120)
    sheet.text(168, 108.5, "（小写）", 3.0, fill=frame)
    sheet.text(181, 108.5, _money(format_money(invoice.total_with_tax)), 3.4)
    sheet.text(19, 119, "备注", 3.0, fill=frame, anchor="mm")
    for index, text in enumerate(remark_text(invoice).splitlines()):
        colour: Colour = (200, 0, 0) if invoice.is_red and index == 0 else BLACK
        sheet.text(33, 115 + index * 4.5, text, 2.9, fill=colour, width=195)
    sheet.text(12, 133, "开票人：", 3.0, fill=frame)
    sheet.text(25, 133, invoice.issued_by or "", 3.0)
    return DrawnPage(sheet.image, "digital_alt", qr_box, payload, None)
