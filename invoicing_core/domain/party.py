"""The parties to an invoice: the seller (the user's company) and the buyer."""

from dataclasses import dataclass
from enum import Enum

from invoicing_core.domain.errors import InvalidInput

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
