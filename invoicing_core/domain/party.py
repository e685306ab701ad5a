"""The parties to an invoice: the seller (the user's company) and the buyer."""

import re
from dataclasses import dataclass
from enum import Enum

from invoicing_core.domain.errors import InvalidInput
from invoicing_core.domain.text import invoice_text

MAX_NAME_LENGTH = 100


class PartyRole(Enum):
    """Which side of the sale a party is on."""

    SELLER = "seller"
    BUYER = "buyer"

    @property
    def label(self) -> str:
        """The role as printed on invoices and forms."""
        return "销售方" if self is PartyRole.SELLER else "购买方"


@dataclass(frozen=True, kw_only=True)
class Party:
    """A seller or buyer as printed on the invoice; tax_id is already checked and normalised."""

    name: str
    tax_id: str | None = None
    address: str = ""
    phone: str = ""
    bank: str = ""
    account: str = ""
    email: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidInput("请填写名称。", field="name")
        if len(self.name) > MAX_NAME_LENGTH:
            raise InvalidInput(f"名称不能超过{MAX_NAME_LENGTH}个字符。", field="name")

    @classmethod
    def from_input(
        cls,
        *,
        name: str,
        tax_id: str | None = None,
        address: str = "",
        phone: str = "",
        bank: str = "",
        account: str = "",
        email: str = "",
    ) -> "Party":
        """A party as a user enters it, its texts normalised as printed (see invoice_text).

        `tax_id` is taken as given: check_tax_id checks and normalises it.
        """
        return cls(
            name=invoice_text(name, field="name", label="名称"),
            tax_id=tax_id,
            address=invoice_text(address, field="address", label="地址"),
            phone=invoice_text(phone, field="phone", label="电话"),
            bank=invoice_text(bank, field="bank", label="开户银行"),
            account=invoice_text(account, field="account", label="银行账号"),
            email=invoice_text(email, field="email", label="邮箱"),
        )


class BuyerType(Enum):
    """What a buyer is, as far as its name tells; decides whether its taxpayer id is required.

    An enterprise (企业, 个人独资企业 and 合伙企业 included) must give its taxpayer id for
    a general invoice too (国家税务总局公告2017年第16号 第一条); individuals, government
    bodies, public institutions and social organisations may go without.
    """

    ENTERPRISE = "enterprise"
    NON_ENTERPRISE = "non_enterprise"
    UNKNOWN = "unknown"

    @classmethod
    def of_name(cls, name: str) -> "BuyerType":
        """Judge by the name's legal-form words; UNKNOWN when the name does not say."""
        compact = "".join(name.split())
        if _ENTERPRISE_WORDS.search(compact):
            return cls.ENTERPRISE
        if _NON_ENTERPRISE_WORDS.search(compact) or _PERSON.fullmatch(compact):
            return cls.NON_ENTERPRISE
        return cls.UNKNOWN

    @property
    def label(self) -> str:
        """The type as users know it."""
        return _BUYER_TYPE_LABELS[self]


# Words of an enterprise's name: legal forms and the usual trade names (厂, 店, 商行…).
_ENTERPRISE_WORDS = re.compile(
    r"公司|有限|股份|集团|企业|合伙|厂|店|商行|经营部|门市部|商贸|超市|商场|银行|事务所|酒店|宾馆"
)
# Government, public institutions and social organisations (机关、事业单位、社会团体).
_NON_ENTERPRISE_WORDS = re.compile(
    r"人民政府|政府|委员会|[局厅署]$|机关|法院|检察院|公安|学校|[小中]学|大学|学院|幼儿园|"
    r"医院|卫生院|研究院|研究所|协会|学会|商会|基金会|街道办事处|博物馆|图书馆|个人"
)
# A person's name: two to four Chinese characters (or a transliterated name with ·),
# with 先生 or 女士 at most.
_PERSON = re.compile(
    r"[\u4e00-\u9fff]{2,4}(?:先生|女士)?|[\u4e00-\u9fff]{1,10}(?:·[\u4e00-\u9fff]{1,10})+"
)
_BUYER_TYPE_LABELS = {
    BuyerType.ENTERPRISE: "企业",
    BuyerType.NON_ENTERPRISE: "个人或非企业单位",
    BuyerType.UNKNOWN: "无法从名称判断",
}
