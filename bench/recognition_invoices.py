"""Random but valid invoices for the recognition benchmark, and their truth as the engine reads it.

Every invoice is built through the domain (`Invoice`, `InvoiceLine.from_input`,
`Invoice.red_letter`), so its numbers, tax ids, totals and rounding obey the same
rules as the invoices the product issues. `truth_of` states what a perfect reader
would return, in the engine's normalised form: dates "YYYY-MM-DD", money "1130.00"
(negative on a red-letter invoice), rates "0.13", tax ids in upper case; a field the
invoice does not carry is None.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from invoicing_core.domain.invoice import CHINA_TZ, Invoice
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.money import format_money
from invoicing_core.domain.numbering import DigitalInvoiceNumber
from invoicing_core.domain.party import Party
from invoicing_core.domain.red_letter import RedLetterReason
from invoicing_core.domain.tax_id import ALPHABET, check_character
from invoicing_core.domain.tax_rate import TaxRate
from invoicing_core.pdf.qr_payload import _check as qr_check
from invoicing_core.pdf.qr_payload import invoice_qr_payload

# The remark exactly as the product's renderer prints it (a red-letter invoice's first
# line names the blue invoice); the drawn layout prints the same text.
from invoicing_core.pdf.render import _remark_text as remark_text
from invoicing_core.pdf.text import plain_number

KINDS = tuple(InvoiceKind)
PROVINCES = ("11", "12", "31", "32", "33", "35", "37", "42", "44", "50", "51", "61")
REGIONS = ("110105", "310115", "320506", "330106", "420106", "440305", "500103", "510107")
CITIES = ("北京", "上海", "武汉", "深圳", "杭州", "成都", "南京", "苏州", "重庆", "西安", "厦门")
CORES = (
    "华创", "鑫源", "恒达", "博远", "启明", "瑞丰", "中科", "新锐", "天汇", "联拓", "锦程",
    "东方", "汇智", "长江", "海纳", "星辰", "凯越", "宏图", "同舟", "嘉禾",
)  # fmt: skip
TRADES = (
    "科技", "信息技术", "贸易", "商贸", "物流", "建筑工程", "餐饮管理", "文化传媒",
    "电子", "医药", "咨询服务", "机械设备", "网络科技", "供应链管理",
)  # fmt: skip
FORMS = ("有限公司", "有限责任公司", "股份有限公司", "有限公司分公司")
PEOPLE = ("张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄晓明")
ISSUERS = ("张三", "李四", "王五", "赵六", "孙丽", "周强")
REMARKS = ("", "", "", "合同编号：HT-{n}", "项目：{city}办公楼", "订单号{n}", "含运费")


@dataclass(frozen=True)
class Goods:
    """One kind of goods or service: its 税收分类 short name, name, spec, unit, price and rates."""

    category: str
    name: str
    spec: str
    unit: str
    price: tuple[int, int]  # whole yuan, low and high
    rates: tuple[str, ...]


GOODS = (
    Goods("信息技术服务", "软件开发服务", "", "项", (2000, 80000), ("6%",)),
    Goods("信息技术服务", "技术咨询", "", "次", (500, 20000), ("6%", "3%")),
    Goods("现代服务", "咨询服务费", "", "", (300, 30000), ("6%", "1%")),
    Goods("计算机配套产品", "显示器", "27英寸", "台", (800, 3000), ("13%",)),
    Goods("计算机配套产品", "无线键盘", "K380", "个", (60, 400), ("13%",)),
    Goods("计算机", "笔记本电脑", "14英寸 16G", "台", (3500, 12000), ("13%",)),
    Goods("纸制品", "复印纸", "A4 70g", "箱", (90, 260), ("13%",)),
    Goods("办公用品", "签字笔", "0.5mm", "盒", (12, 60), ("13%", "3%")),
    Goods("餐饮服务", "餐饮服务", "", "次", (80, 3000), ("6%", "1%")),
    Goods("住宿服务", "住宿费", "", "晚", (200, 900), ("6%",)),
    Goods("运输服务", "国内道路货物运输服务", "", "次", (300, 9000), ("9%",)),
    Goods("建筑服务", "工程服务", "", "项", (5000, 200000), ("9%", "3%")),
    Goods("谷物", "大米", "5kg", "袋", (30, 90), ("9%",)),
    Goods("图书", "财税实务", "", "本", (30, 120), ("9%",)),
    Goods("供电", "电费", "", "千瓦时", (1, 2), ("13%",)),
    Goods("物业管理服务", "物业管理费", "", "月", (500, 8000), ("6%",)),
    Goods("医疗服务", "体检服务", "", "人次", (200, 1500), ("免税",)),
    Goods("预付卡销售", "预付卡", "", "张", (100, 1000), ("不征税",)),
)


def tax_id(rng: random.Random) -> str:
    """A unified social credit code with a correct check character (GB 32100-2015)."""
    organisation = "".join(rng.choice(ALPHABET if i < 2 else "0123456789") for i in range(8))
    body = rng.choice("9Y15") + rng.choice("1239") + rng.choice(REGIONS) + organisation
    body += rng.choice(ALPHABET)
    return body + check_character(body)


def company(rng: random.Random) -> Party:
    name = rng.choice(CITIES) + rng.choice(CORES) + rng.choice(TRADES) + rng.choice(FORMS)
    return Party(name=name, tax_id=tax_id(rng))


def buyer(rng: random.Random, kind: InvoiceKind) -> Party:
    """A company, or on a general invoice now and then a person without a taxpayer id."""
    if not kind.is_special and rng.random() < 0.12:
        return Party(name=rng.choice(PEOPLE))
    return company(rng)


def line(rng: random.Random, goods: Goods) -> InvoiceLine:
    low, high = goods.price
    cents = rng.choice((0, 0, 0, rng.randrange(100)))
    price = f"{rng.randint(low, high)}.{cents:02d}"
    quantity = rng.choice(("1", "1", "2", "3", "5", "10", "12", "2.5", str(rng.randint(1, 300))))
    if goods.unit == "千瓦时":
        quantity, price = str(rng.randint(800, 30000)), rng.choice(("0.68", "0.75", "1.02"))
    return InvoiceLine.from_input(
        name=f"*{goods.category}*{goods.name}",
        quantity=quantity,
        unit_price=price,
        tax_rate=rng.choice(goods.rates),
        # A price including tax leaves an 8-decimal unit price, as real invoices print.
        tax_included=rng.random() < 0.25,
        spec=goods.spec,
        unit=goods.unit,
    )


def number_for(
    kind: InvoiceKind, issued: datetime, rng: random.Random, serial: int
) -> dict[str, Any]:
    """A unique digital number, or paper invoice code plus number, for the issue date."""
    if kind.is_digital:
        digital = DigitalInvoiceNumber(
            issued.year, rng.choice((0, 1, 2)), serial, rng.choice(PROVINCES)
        )
        return {"number": str(digital)}
    region = rng.choice(PROVINCES) + rng.choice(("00", "01", "02"))
    if rng.random() < 0.5:  # 10-digit code (old special invoices) or 12-digit
        code = f"{region}{issued.year % 100:02d}{rng.randint(1000, 9999)}"
    else:
        code = f"0{region}{rng.randint(100, 999)}{issued.year % 100:02d}{rng.randint(10, 99)}"
    return {"code": code, "number": f"{serial % 10**8:08d}"}


def make_invoice(
    rng: random.Random, kind: InvoiceKind, *, red: bool, serial: int, most_lines: int = 8
) -> Invoice:
    """A blue invoice of 1..most_lines lines, or the red-letter invoice negating one."""
    issued = datetime(2024, 1, 1, 9, tzinfo=CHINA_TZ) + timedelta(
        days=rng.randrange(3 * 365), minutes=rng.randrange(9 * 60)
    )
    seller = company(rng)
    # Exempt and non-taxable lines go on general invoices only, as the rules require.
    goods = [g for g in GOODS if not (kind.is_special and TaxRate.parse(g.rates[0]).is_mark)]
    lines = tuple(line(rng, rng.choice(goods)) for _ in range(rng.randint(1, most_lines)))
    remark = rng.choice(REMARKS).format(n=rng.randint(10000, 99999), city=rng.choice(CITIES))
    blue = Invoice(
        kind=kind,
        seller=seller,
        buyer=buyer(rng, kind),
        lines=lines,
        issued_at=issued,
        remark=remark,
        issued_by=rng.choice(ISSUERS),
        **number_for(kind, issued, rng, serial * 2),
    )
    if not red:
        return blue
    at = issued + timedelta(days=rng.randint(1, 60))
    numbering = number_for(kind, at, rng, serial * 2 + 1)
    reason = rng.choice(tuple(RedLetterReason))
    red_invoice = blue.red_letter(
        reason, number=numbering["number"], code=numbering.get("code"), at=at
    )
    red_invoice.issued_by = blue.issued_by
    return red_invoice


def _rate(line: InvoiceLine) -> str:
    return line.tax_rate.value if line.tax_rate.is_mark else f"{line.tax_rate.rate:.2f}"


def line_truth(line: InvoiceLine) -> dict[str, str | None]:
    """A line as read: name and 税收分类 short name apart; an exempt line's tax is "***"."""
    _, category, name = line.name.split("*", 2)
    return {
        "name": name,
        "tax_category": category,
        "spec": line.spec,
        "unit": line.unit,
        "quantity": plain_number(line.quantity) or None,
        "unit_price": plain_number(line.unit_price) or None,
        "amount": format_money(line.amount),
        "rate": _rate(line),
        "tax": None if line.tax_rate.is_mark else format_money(line.tax),
    }


def qr_payload(invoice: Invoice, check_code: str | None = None) -> str:
    """The product's QR payload, its seventh field carrying a 校验码 as other issuers' do."""
    parts = invoice_qr_payload(invoice).split(",")
    if check_code is None:
        return ",".join(parts)
    head = ",".join([*parts[:6], check_code])
    return f"{head},{qr_check(head)}"


def truth_of(
    invoice: Invoice, payload: str, *, qr_visible: bool, check_code: str | None
) -> dict[str, Any]:
    """What a perfect reader returns for this invoice (a field None: not on the invoice)."""
    issued = invoice.issued_at.astimezone(CHINA_TZ)
    fields: dict[str, str | None] = {
        "kind": invoice.kind.value,
        "code": invoice.code,
        "number": invoice.number,
        "date": issued.strftime("%Y-%m-%d"),
        "buyer_name": invoice.buyer.name,
        "buyer_tax_id": invoice.buyer.tax_id,
        "seller_name": invoice.seller.name,
        "seller_tax_id": invoice.seller.tax_id,
        "amount": format_money(invoice.total_amount),
        "tax": format_money(invoice.total_tax),
        "total_with_tax": format_money(invoice.total_with_tax),
        "total_in_words": invoice.total_with_tax_upper,
        # The 校验码: printed, and in the QR's seventh field, on the drawn paper general
        # invoices only (the product's invoices and special invoices carry none).
        "check_code": check_code,
        "remarks": remark_text(invoice),
    }
    return {
        "red": invoice.is_red,
        "fields": fields,
        "lines": [line_truth(line) for line in invoice.lines],
        "qr_visible": qr_visible,
        "qr_payload": payload if qr_visible else None,
        "issuer": invoice.issued_by,
    }


def money(text: str | None) -> Decimal:
    """A truth money string as a Decimal (0 when absent)."""
    return Decimal(text) if text else Decimal(0)
