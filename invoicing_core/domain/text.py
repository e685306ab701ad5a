"""Text printed on an invoice: whitespace normalised, invisible characters refused."""

import unicodedata

from invoicing_core.domain.errors import InvalidCharacter

# Control characters that are ordinary whitespace (tab, line breaks, NEL): kept as spaces.
_WHITESPACE_CONTROLS = frozenset("\t\n\v\f\r\x85")
# Control (Cc), format (Cf: zero-width characters, bidi overrides, the BOM), surrogate,
# private-use and unassigned characters print as nothing, reorder what is printed or
# mean nothing agreed: none belongs on a legal invoice.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def invoice_text(value: str, *, field: str, label: str) -> str:
    """`value` as printed: each run of whitespace one space, none at either end.

    A text holding a character of a refused category is refused, naming `field` and
    calling it `label` in the message; a text that ends up empty is left to the caller.
    """
    for char in value:
        if char not in _WHITESPACE_CONTROLS and unicodedata.category(char) in _REFUSED_CATEGORIES:
            raise InvalidCharacter(
                f"{label}含有控制字符、不可见字符或无法识别的字符（U+{ord(char):04X}），"
                "请删除后重新填写。",
                field=field,
            )
    return " ".join(value.split())
