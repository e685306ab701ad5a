"""How users point at an invoice: a number, "刚开的那张", "这张", "最后一张".

Standard library only, so it can be unit-tested outside Rasa's environment.
"""

from __future__ import annotations

import re
import unicodedata

# Digital: 20 digits. Paper: a 10- or 12-digit code plus an 8-digit number,
# typed together (18 or 20 digits) or apart ("4200231130 12345678").
_NUMBER = re.compile(r"(?<!\d)(\d{10}|\d{12})?[\s\-—_/]*(\d{8}|\d{20})(?!\d)")
# "发票代码4200231130，发票号码12345678": a paper invoice named by its two parts.
_CODE_AND_NUMBER = re.compile(
    r"代码\D{0,4}?(\d{12}|\d{10})(?!\d)\D{0,10}?号码\D{0,4}?(\d{8})(?!\d)"
)
_LATEST = re.compile(r"刚开|刚才|刚刚|最后|最近|最新|上一张|上张|前一张|新开的")
_THIS = re.compile(r"这张|那张|这个|该票|该发票|这一张|此票|它")


def find_invoice_number(text: str) -> str | None:
    """The invoice number in `text`, digits only (a paper code and number joined)."""
    compact = unicodedata.normalize("NFKC", text)
    parts = _CODE_AND_NUMBER.search(compact)
    if parts:
        return parts.group(1) + parts.group(2)
    match = _NUMBER.search(compact)
    if not match:
        return None
    code, number = match.groups()
    if len(number) == 20 or code is None:
        return number if len(number) == 20 else None
    return code + number


def refers_to_latest(text: str) -> bool:
    """ "刚开的那张", "最后一张", "上一张": the newest invoice."""
    return bool(_LATEST.search(text))


def refers_to_current(text: str) -> bool:
    """ "这张", "那张": the invoice the conversation is about."""
    return bool(_THIS.search(text))
