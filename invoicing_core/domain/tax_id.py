"""Taxpayer ids: the 18-character unified social credit code (GB 32100-2015) and legacy ids."""

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum

from invoicing_core.domain.errors import InvalidTaxId, TaxIdUnconfirmed

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

_CODE_LENGTH = 18
# Taxpayer ids from before the unified code (verify): 15 characters (region code plus
# organisation code) or 20 (an individual's identity card number plus two digits).
_LEGACY = re.compile(r"[0-9A-Z]{15}|[0-9A-Z]{20}")


class TaxIdStatus(Enum):
    """How a taxpayer id fared against the rules."""

    VALID = "valid"
    BAD_FORMAT = "bad_format"
    CHECK_MISMATCH = "check_mismatch"
    LEGACY = "legacy"


@dataclass(frozen=True)
class TaxIdCheck:
    """The normalised id, its status and, unless valid, a message for the user."""

    tax_id: str
    status: TaxIdStatus
    message: str = ""

    def accept(self, *, confirmed: bool = False) -> str:
        """Return the id to store; refuse a bad format, and a failed check unless confirmed."""
        if self.status is TaxIdStatus.BAD_FORMAT:
            raise InvalidTaxId(self.message, field="tax_id")
        if self.status is TaxIdStatus.CHECK_MISMATCH and not confirmed:
            raise TaxIdUnconfirmed(self.message, field="tax_id")
        return self.tax_id


def normalise_tax_id(raw: str) -> str:
    """Drop spaces and turn full-width characters (common in Chinese input) into uppercase ASCII."""
    return "".join(unicodedata.normalize("NFKC", raw).split()).upper()


def check_character(body: str) -> str:
    """The 18th character of a unified social credit code, computed from its first 17."""
    total = sum(ALPHABET.index(char) * weight for char, weight in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def check_tax_id(raw: str) -> TaxIdCheck:
    """Check a taxpayer id as the user typed it."""
    tax_id = normalise_tax_id(raw)
    if _LEGACY.fullmatch(tax_id):
        note = (
            f"这是{len(tax_id)}位旧版纳税人识别号，已接受；"
            "如对方已换发18位统一社会信用代码，请改用新代码。"
        )
        return TaxIdCheck(tax_id, TaxIdStatus.LEGACY, note)
    problem = _format_problem(tax_id)
    if problem:
        return TaxIdCheck(tax_id, TaxIdStatus.BAD_FORMAT, problem)
    expected = check_character(tax_id[:-1])
    if tax_id[-1] != expected:
        mismatch = (
            f"纳税人识别号{tax_id}的校验位不符：按前17位计算第18位应为“{expected}”，"
            f"输入的是“{tax_id[-1]}”。请核对；少数早期代码确实如此，核实无误后可确认继续。"
        )
        return TaxIdCheck(tax_id, TaxIdStatus.CHECK_MISMATCH, mismatch)
    return TaxIdCheck(tax_id, TaxIdStatus.VALID)


def _format_problem(tax_id: str) -> str:
    if not tax_id:
        return "请填写纳税人识别号。"
    if len(tax_id) != _CODE_LENGTH:
        return (
            f"纳税人识别号应为18位统一社会信用代码（旧税号为15位或20位），输入的是{len(tax_id)}位。"
        )
    wrong = [f"第{i}位“{char}”" for i, char in enumerate(tax_id, 1) if char not in ALPHABET]
    if wrong:
        return (
            f"纳税人识别号含有不允许的字符：{'、'.join(wrong)}"
            "（统一社会信用代码只用数字和除 I、O、S、V、Z 外的大写字母）。"
        )
    return ""
