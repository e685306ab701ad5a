"""The batch template's sheets and columns, as the tax bureau's template names them.

Sheet 1 `发票基本信息` has one row per invoice, sheet 2 `发票明细信息` one row per line,
linked by `发票流水号`. Headers may carry a leading `*` (required mark), spaces or a
trailing note in brackets, e.g. `*发票流水号（必填）`; the aliases cover common variants.
"""

import re
import unicodedata
from dataclasses import dataclass

INVOICE_SHEET = "发票基本信息"
LINE_SHEET = "发票明细信息"
GUIDE_SHEET = "说明"
SHEET_ALIASES = {
    INVOICE_SHEET: (INVOICE_SHEET, "发票基础信息", "基本信息"),
    LINE_SHEET: (LINE_SHEET, "发票明细", "明细信息", "商品明细"),
}

SERIAL = "发票流水号"
KIND = "发票类型"
BUYER_NAME = "购买方名称"
BUYER_TAX_ID = "购买方纳税人识别号"
BUYER_ADDRESS = "购买方地址"
BUYER_PHONE = "购买方电话"
BUYER_BANK = "购买方开户银行"
BUYER_ACCOUNT = "购买方银行账号"
REMARK = "备注"
BUYER_EMAIL = "购买方邮箱"
TAX_ID_CONFIRMED = "纳税人识别号已核实"

ITEM_NAME = "项目名称"
TAX_CODE = "税收分类编码"
SPEC = "规格型号"
UNIT = "单位"
QUANTITY = "数量"
UNIT_PRICE = "单价"
AMOUNT = "金额"
TAX_RATE = "税率"
TAX_INCLUDED = "含税标志"

MAX_SERIAL_LENGTH = 20
# Serial numbers starting with this mark the template's example rows, which are skipped.
EXAMPLE_PREFIX = "示例"


@dataclass(frozen=True)
class Column:
    """A template column: its header, accepted variants and how its cells are read."""

    header: str
    aliases: tuple[str, ...] = ()
    required: bool = True  # the header must be present (the cell may still be empty)
    # Digits that a number format would mangle (leading zeros, 19 digits as 1.2E+18).
    identifier: bool = False
    flag: bool = False  # 是/否


INVOICE_COLUMNS = (
    Column(SERIAL, identifier=True),
    Column(KIND, ("发票种类", "票种")),
    Column(BUYER_NAME, ("购方名称",)),
    Column(
        BUYER_TAX_ID,
        ("购买方统一社会信用代码/纳税人识别号", "购方纳税人识别号", "购买方税号"),
        identifier=True,
    ),
    Column(BUYER_ADDRESS, ("地址", "购方地址")),
    Column(BUYER_PHONE, ("电话", "购方电话"), identifier=True),
    Column(BUYER_BANK, ("开户行", "开户银行", "购买方开户行", "购方开户银行")),
    Column(BUYER_ACCOUNT, ("账号", "银行账号", "购方银行账号"), identifier=True),
    Column(REMARK),
    Column(BUYER_EMAIL, ("邮箱", "电子邮箱", "购买方电子邮箱")),
    Column(TAX_ID_CONFIRMED, ("税号已核实", "确认"), required=False, flag=True),
)

LINE_COLUMNS = (
    Column(SERIAL, identifier=True),
    Column(ITEM_NAME, ("商品名称", "货物或应税劳务、服务名称")),
    Column(TAX_CODE, ("商品和服务税收分类编码", "商品编码"), identifier=True),
    Column(SPEC, ("规格",)),
    Column(UNIT, ("计量单位",)),
    Column(QUANTITY),
    Column(UNIT_PRICE),
    Column(AMOUNT),
    Column(TAX_RATE, ("税率/征收率", "征收率")),
    Column(TAX_INCLUDED, ("是否含税", "含税"), flag=True),
)

_BRACKETED_NOTE = re.compile(r"\([^()]*\)$")
_SHEET_NUMBER = re.compile(r"^[0-9]+[-_.、 ]*")


def normalise_header(text: object) -> str:
    """A header as compared: width-folded, without spaces, `*` marks or a bracketed note."""
    folded = unicodedata.normalize("NFKC", str(text or ""))
    bare = "".join(folded.split()).strip("*")
    return _BRACKETED_NOTE.sub("", bare) if bare != "" else bare


def normalise_sheet_name(name: str) -> str:
    """A sheet name as compared: width-folded, without spaces or a `1-` style number."""
    folded = "".join(unicodedata.normalize("NFKC", name).split())
    return _SHEET_NUMBER.sub("", folded)


def header_lookup(columns: tuple[Column, ...]) -> dict[str, Column]:
    """Every accepted (normalised) header text, mapped to its column."""
    lookup: dict[str, Column] = {}
    for column in columns:
        for text in (column.header, *column.aliases):
            lookup[normalise_header(text)] = column
    return lookup
