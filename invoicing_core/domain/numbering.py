"""Invoice numbers: the 20-digit digital number, and paper invoice code plus number."""

import re
from dataclasses import dataclass

from invoicing_core.domain.errors import InvalidInvoiceNumber

HUBEI = "42"
SEQUENCE_DIGITS = 15

# [0-9], not \d, which would also let full-width and other Unicode digits through.
_DIGITAL = re.compile(r"([0-9]{2})([0-9]{2})([0-9])([0-9]{15})")
_PROVINCE = re.compile(r"[0-9]{2}")
_PAPER_CODE = re.compile(r"[0-9]{10}|[0-9]{12}")
_PAPER_NUMBER = re.compile(r"[0-9]{8}")


@dataclass(frozen=True)
class DigitalInvoiceNumber:
    """A digital invoice number: year, province, issuing channel and sequence."""

    year: int
    channel: int
    sequence: int
    province: str = HUBEI

    def __post_init__(self) -> None:
        if not 2000 <= self.year <= 2099:
            raise InvalidInvoiceNumber(f"发票号码的年份超出范围：{self.year}", field="number")
        if not _PROVINCE.fullmatch(self.province):
            raise InvalidInvoiceNumber(f"省份代码应为2位数字：{self.province}", field="number")
        if not 0 <= self.channel <= 9:
            raise InvalidInvoiceNumber(f"开票渠道应为1位数字：{self.channel}", field="number")
        if not 0 <= self.sequence < 10**SEQUENCE_DIGITS:
            raise InvalidInvoiceNumber(f"发票序号应为15位以内：{self.sequence}", field="number")

    def __str__(self) -> str:
        return f"{self.year % 100:02d}{self.province}{self.channel}{self.sequence:015d}"

    @classmethod
    def parse(cls, text: str) -> "DigitalInvoiceNumber":
        """Read a 20-digit digital invoice number."""
        match = _DIGITAL.fullmatch(text.strip())
        if match is None:
            raise InvalidInvoiceNumber(f"数电发票号码应为20位数字：{text}", field="number")
        year, province, channel, sequence = match.groups()
        return cls(2000 + int(year), int(channel), int(sequence), province)


@dataclass(frozen=True)
class PaperInvoiceNumber:
    """A paper invoice's 10- or 12-digit invoice code and 8-digit number."""

    code: str
    number: str

    def __post_init__(self) -> None:
        if not _PAPER_CODE.fullmatch(self.code):
            raise InvalidInvoiceNumber(f"发票代码应为10位或12位数字：{self.code}", field="code")
        if not _PAPER_NUMBER.fullmatch(self.number):
            raise InvalidInvoiceNumber(f"纸质发票号码应为8位数字：{self.number}", field="number")
