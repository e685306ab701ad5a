"""Fields read from positioned text lines: labels, columns and the two parties' places."""

from invoicing_core.recognition.printed import looks_like_invoice, read_printed
from invoicing_core.recognition.text_lines import Page, TextLine


def line(text: str, left: float, top: float, width: float | None = None) -> TextLine:
    return TextLine(text, left, top, left + (width or 2.0 * len(text)), top + 3)


DIGITAL = [
    line("电子发票（增值税专用发票）", 80, 5),
    line("发票号码：26421000000000000001", 170, 4),
    line("开票日期：2026年03月10日", 170, 10),
    line("名称：上海某某贸易有限公司", 15, 30),
    line("名称：武汉示例科技有限公司", 130, 30),
    line("统一社会信用代码/纳税人识别号：", 15, 40, 50),
    line("91310110666007217T", 66, 40),
    line("统一社会信用代码/纳税人识别号：", 130, 40, 50),
    line("91420100MA4K5R3T13", 181, 40),
    *(
        line(text, left, 55)
        for text, left in [
            ("项目名称", 30),
            ("规格型号", 70),
            ("单位", 90),
            ("数量", 105),
            ("单价", 125),
            ("金额", 150),
            ("税率/征收率", 175),
            ("税额", 205),
        ]
    ),
    line("*信息技术服务*技术咨", 9, 62),
    line("询", 9, 66),
    line("10", 112, 62),
    line("100", 136, 62),
    line("1000.00", 150, 62),
    line("6%", 180, 62),
    line("60.00", 215, 62),
    line("合", 28, 90),
    line("计", 36, 90),
    line("¥1000.00", 158, 90),
    line("¥60.00", 213, 90),
    line("价税合计（大写）", 10, 97),
    line("⊗壹仟零陆拾圆整", 40, 97),
    line("（小写）¥1060.00", 170, 97),
    line("备", 9, 105),
    line("注", 9, 110),
    line("项目编号XM-1", 20, 106),
    line("开票人：张三", 10, 125),
]


def test_a_digital_invoice_is_read_from_its_lines() -> None:
    page = Page(tuple(DIGITAL), "ocr", 240, 140)
    assert looks_like_invoice([page])
    reading = read_printed([page])
    assert {name: cell.value for name, cell in reading.fields.items()} == {
        "kind": "digital_special",
        "number": "26421000000000000001",
        "date": "2026-03-10",
        "buyer_name": "上海某某贸易有限公司",
        "seller_name": "武汉示例科技有限公司",
        "buyer_tax_id": "91310110666007217T",
        "seller_tax_id": "91420100MA4K5R3T13",
        "amount": "1000.00",
        "tax": "60.00",
        "total_in_words": "壹仟零陆拾圆整",
        "total_with_tax": "1060.00",
        "remarks": "项目编号XM-1",
    }
    assert [{k: c.value for k, c in item.items()} for item in reading.lines] == [
        {
            "name": "技术咨询",
            "tax_category": "信息技术服务",
            "quantity": "10",
            "unit_price": "100",
            "amount": "1000.00",
            "rate": "0.06",
            "tax": "60.00",
        }
    ]
    assert reading.unsure == set()


def test_the_old_layout_stacks_buyer_above_seller() -> None:
    lines = [
        line("名        称：", 15, 30, 20),
        line("张三", 40, 30),
        line("纳税人识别号：", 15, 35, 20),
        line("01234567890123456789+-*/<>", 160, 35),  # the 密码区, far right: not an id
        line("名        称：", 15, 100, 20),
        line("武汉示例科技有限公司", 40, 100),
        line("纳税人识别号：", 15, 105, 20),
        line("91420100MA4K5R3T13", 40, 105),
    ]
    reading = read_printed([Page(tuple(lines), "ocr", 240, 140)])
    assert reading.value("buyer_name") == "张三"
    assert reading.value("seller_name") == "武汉示例科技有限公司"
    assert reading.value("seller_tax_id") == "91420100MA4K5R3T13"
    assert reading.value("buyer_tax_id") is None


def test_a_lone_party_label_is_read_but_marked_unsure() -> None:
    lines = [line("统一社会信用代码/纳税人识别号：91420100MA4K5R3T13", 130, 40)]
    reading = read_printed([Page(tuple(lines), "ocr", 240, 140)])
    assert reading.value("seller_tax_id") == "91420100MA4K5R3T13"
    assert reading.unsure == {"seller_tax_id"}


def test_text_without_invoice_labels_is_no_invoice() -> None:
    page = Page((line("我家的猫 Mimi", 10, 10), line("2026年3月", 10, 20)), "ocr", 100, 100)
    assert not looks_like_invoice([page])


def replaced(lines: list[TextLine], old: str, new: TextLine | None) -> list[TextLine]:
    """The lines with the first one reading `old` replaced (or dropped)."""
    index = next(i for i, found in enumerate(lines) if found.text == old)
    return [*lines[:index], *([new] if new is not None else []), *lines[index + 1 :]]


def test_a_buyer_without_an_id_does_not_take_the_sellers_beside_it() -> None:
    # A person buys: the buyer's id row is empty and the seller's label comes next on it
    # (OCR of a photo, in pixels).
    lines = [
        TextLine("名称：王芳", 250, 564, 360, 600),
        TextLine("名称：苏州中科网络科技有限公司", 965, 550, 1315, 587),
        TextLine("购买方信息", 206, 555, 246, 671),
        TextLine("销售方信息", 916, 538, 954, 663),
        TextLine("统一社会信用代码/纳税人识别号：", 250, 620, 553, 656),
        TextLine("统一社会信用代码/纳税人识别号：515101077Y485190BM", 961, 606, 1558, 648),
    ]
    reading = read_printed([Page(tuple(lines), "ocr", 2000, 1500)])
    assert reading.value("buyer_tax_id") is None
    assert reading.value("seller_tax_id") == "515101077Y485190BM"
    assert reading.value("buyer_name") == "王芳"


def test_the_buyers_block_is_the_left_one_even_when_its_name_label_is_unread() -> None:
    lines = replaced(DIGITAL, "名称：上海某某贸易有限公司", line("上海某某贸易有限公司", 20, 30))
    lines = replaced(
        lines,
        "统一社会信用代码/纳税人识别号：",
        line("统一社会信用代品/纳税人识刻号：", 15, 41, 50),
    )
    reading = read_printed([Page(tuple(lines), "ocr", 240, 140)])
    assert reading.value("buyer_tax_id") == "91310110666007217T"
    assert reading.value("seller_tax_id") == "91420100MA4K5R3T13"
    assert reading.value("seller_name") == "武汉示例科技有限公司"
    assert reading.unsure == set()


def test_headings_with_a_character_misread_still_name_their_columns() -> None:
    lines = replaced(DIGITAL, "金额", line("金级", 150, 55))
    lines = replaced(lines, "税率/征收率", line("桂率/吸收率", 175, 55))
    lines = replaced(lines, "税额", line("税膜", 205, 55))
    reading = read_printed([Page(tuple(lines), "ocr", 240, 140)])
    [item] = reading.lines
    assert {k: item[k].value for k in ("amount", "rate", "tax")} == {
        "amount": "1000.00",
        "rate": "0.06",
        "tax": "60.00",
    }


def test_a_slanted_sum_row_is_followed_from_cell_to_cell() -> None:
    # Each amount sits lower than the one before; the tax is a row lower than the label.
    lines = replaced(DIGITAL, "¥1000.00", line("¥1000.00", 158, 91.4))
    lines = replaced(lines, "¥60.00", line("¥60.00", 213, 92.8))
    reading = read_printed([Page(tuple(lines), "ocr", 240, 140)])
    assert (reading.value("amount"), reading.value("tax")) == ("1000.00", "60.00")


def test_the_remark_box_begins_under_the_words_row_on_a_slanted_photo() -> None:
    # The figures (小写) came out lower than the words; the remark starts above their foot.
    lines = replaced(DIGITAL, "（小写）¥1060.00", line("（小写）¥1060.00", 170, 100.5))
    lines = replaced(lines, "项目编号XM-1", line("项目编号XM-1", 20, 103))
    reading = read_printed([Page(tuple(lines), "ocr", 240, 140)])
    assert reading.value("remarks") == "项目编号XM-1"
    assert reading.value("total_with_tax") == "1060.00"
