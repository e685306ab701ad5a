"""The old VAT paper form read from OCR lines: its party blocks, its remark box and its seal.

The lines are those OCR gave for a photographed 上海增值税普通发票 (a red-letter invoice to
a person without a taxpayer id), in pixels.
"""

from invoicing_core.recognition.printed import read_printed
from invoicing_core.recognition.text_lines import Page, TextLine


def box(text: str, left: float, top: float, right: float, bottom: float) -> TextLine:
    return TextLine(text, left, top, right, bottom, 0.99)


BUYER = [
    box("名", 307, 435, 345, 463),  # 名        称： printed apart, read as two lines
    box("称：", 353, 437, 389, 463),
    box("赵敏", 437, 439, 482, 468),
    box("购买方", 268, 441, 307, 529),  # written down the block's left side
    box("纳税人识别号：", 308, 463, 416, 489),
    box("地址、电话：", 303, 488, 407, 516),
    box("厦门市中山路897号 020-74087856", 436, 491, 682, 517),
    box("开户行及账号：", 302, 514, 413, 541),
    box("中国建设银行厦门分行 9720667480947921834", 433, 517, 759, 544),
]
CIPHERS = [
    box("431>281660/3991/9-+75<2*<>1", 1068, 434, 1344, 461),
    box("密码区", 1032, 439, 1063, 525),
    box("44+2504<*25/7+<-91621882--1", 1069, 460, 1344, 486),
    box("<<7/86+055*1--7<975*784***.", 1071, 483, 1345, 511),
]
SELLER = [
    box("名称：", 277, 829, 362, 861),
    box("上海华创咨询服务有限责任公司", 417, 837, 663, 865),
    box("纳税人识别号：", 276, 859, 390, 889),
    box("91510107WB375715N5", 412, 864, 607, 892),
    box("销售方", 233, 842, 275, 945),
    box("地址、电话：", 274, 885, 381, 918),
    box("重庆市人民路414号 078-41796443", 412, 893, 668, 920),
    box("开户行及账号：", 270, 915, 388, 945),
    box("招商银行重庆分行 8640980872271447338", 409, 922, 718, 948),
]
REMARK_BOX = [
    box("对应正数发票号码：330224677000000456 红冲原因：销货退回", 1076, 843, 1486, 871),
    box("备", 1040, 859, 1067, 895),
    box("注", 1038, 902, 1067, 936),
]
SEAL = [
    box("上海华创咨询服务有限责任公司", 1224, 916, 1417, 943),
    box("91510107WB375715N5", 1228, 949, 1413, 975),
]
HEADER = [
    box("031013122498", 411, 288, 607, 324),
    box("上海增值税普通发票", 702, 289, 1041, 338),
    box("No 00000457", 1171, 277, 1376, 314),
    box("开票日期：", 1105, 319, 1187, 347),
    box("2024年03月23日", 1203, 322, 1340, 348),
    box("发票代码：", 1105, 343, 1186, 370),
    box("031013122498", 1203, 346, 1333, 372),
    box("发票号码：", 1105, 366, 1188, 394),
    box("00000457", 1204, 370, 1294, 397),
    box("校验码：", 1106, 391, 1189, 418),
    box("62571 38389 62721 78031", 1205, 393, 1443, 421),
]
TOTALS = [
    box("合", 378, 763, 410, 791),
    box("计", 429, 765, 457, 790),
    box("¥-441590.48", 1067, 769, 1192, 795),
    box("¥-15202.89", 1385, 768, 1501, 797),
    box("价税合计（大写）", 250, 793, 389, 824),
    box("（负数）肆拾伍万陆仟柒佰玖拾叁圆叁角柒分", 445, 796, 842, 828),
    box("(小写） ¥-456793.37", 1159, 797, 1370, 830),
]
FOOT = [
    box("收款人：", 247, 975, 316, 1008),
    box("开票人：", 868, 979, 944, 1014),
    box("张三", 955, 984, 1002, 1015),
    box("销售方：（发票专用章", 1189, 983, 1366, 1015),  # the seal's foot read with the form's
]
FORM = [*HEADER, *BUYER, *CIPHERS, *TOTALS, *SELLER, *REMARK_BOX, *SEAL, *FOOT]


def read(lines: list[TextLine]) -> dict[str, str]:
    reading = read_printed([Page(tuple(lines), "ocr", 1639, 1229)])
    return {name: cell.value for name, cell in reading.fields.items()}


def test_the_old_form_is_read_block_by_block() -> None:
    reading = read_printed([Page(tuple(FORM), "ocr", 1639, 1229)])
    assert {name: cell.value for name, cell in reading.fields.items()} == {
        "kind": "paper_general",
        "code": "031013122498",
        "number": "00000457",
        "date": "2024-03-23",
        "check_code": "62571383896272178031",
        "buyer_name": "赵敏",
        "seller_name": "上海华创咨询服务有限责任公司",
        "seller_tax_id": "91510107WB375715N5",
        "amount": "-441590.48",
        "tax": "-15202.89",
        "total_in_words": "（负数）肆拾伍万陆仟柒佰玖拾叁圆叁角柒分",
        "total_with_tax": "-456793.37",
        # The box right of 备注 only: not the seller's rows, not the seal over it.
        "remarks": "对应正数发票号码：330224677000000456 红冲原因：销货退回",
    }
    assert reading.unsure == set()


def test_a_block_whose_name_label_is_unread_is_placed_by_its_title() -> None:
    # Without the buyer's 名称 the seller's block was the first in reading order.
    lines = [line for line in FORM if line.text not in ("名", "称：")]
    fields = read(lines)
    assert fields["seller_tax_id"] == "91510107WB375715N5"
    assert "buyer_tax_id" not in fields


def test_a_tax_id_label_with_a_character_misread_is_still_a_label() -> None:
    misread = box("纳税人识刻号：", 276, 859, 390, 889)
    lines = [misread if line == SELLER[2] else line for line in FORM]
    assert read(lines)["seller_tax_id"] == "91510107WB375715N5"


def test_without_its_side_label_the_box_still_leaves_out_the_seal() -> None:
    lines = [line for line in FORM if line not in REMARK_BOX[1:] and line != FOOT[-1]]
    remarks = read(lines)["remarks"]
    # The seal repeats the seller's name and id: neither is the remark.
    assert "91510107WB375715N5" not in remarks
    assert remarks.count("上海华创咨询服务有限责任公司") == 0
