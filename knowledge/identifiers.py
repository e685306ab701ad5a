"""Identifiers in text: invoice numbers, taxpayer ids, tax codes, document numbers, entry ids.

An identifier is matched exactly, never by meaning: a question that names one
an entry mentions gets that entry first. One the knowledge base does not know
(the user's own invoice number, say) is replaced by its kind, so that
"24420000000012345678 怎么作废" is searched as "发票号码 怎么作废".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Order matters: the first pattern that matches a span names its kind.
_KINDS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("entry_id", "", re.compile(r"(?<![a-z0-9_.])[a-z]+\.[a-z][a-z0-9_]*(?![a-z0-9_])")),
    ("invoice_number", "发票号码", re.compile(r"(?<![0-9a-z])\d{20}(?![0-9a-z])")),
    ("tax_code", "税收分类编码", re.compile(r"(?<![0-9a-z])\d{19}(?![0-9a-z])")),
    # Unified social credit code (GB 32100-2015), 18 characters without I O S V Z.
    (
        "taxpayer_id",
        "纳税人识别号",
        re.compile(r"(?<![0-9a-z])(?=[0-9a-z]*\d)[0-9a-hj-np-rtuwxy]{18}(?![0-9a-z])"),
    ),
    ("invoice_code", "发票代码", re.compile(r"(?<![0-9a-z])\d{10}(?:\d{2})?(?![0-9a-z])")),
    ("document_number", "单据编号", re.compile(r"(?<![0-9a-z])\d{5,}(?![0-9a-z])")),
)


@dataclass(frozen=True)
class Identifier:
    """An identifier found in text: its kind, its normalised value and where it stood."""

    kind: str
    value: str
    start: int
    end: int

    @property
    def kind_word(self) -> str:
        """How the kind is called in a question, e.g. 发票号码."""
        return next(word for kind, word, _ in _KINDS if kind == self.kind)


def find_identifiers(text: str) -> list[Identifier]:
    """Every identifier in normalised (lower-case, half-width) text, left to right."""
    found: list[Identifier] = []
    taken: list[tuple[int, int]] = []
    for kind, _word, pattern in _KINDS:
        for match in pattern.finditer(text):
            span = match.span()
            if any(span[0] < end and start < span[1] for start, end in taken):
                continue
            taken.append(span)
            found.append(Identifier(kind, match.group().upper(), *span))
    return sorted(found, key=lambda identifier: identifier.start)


def replace_unknown(text: str, identifiers: list[Identifier], known: set[str]) -> str:
    """The text with every identifier the knowledge base does not know replaced by its kind."""
    for identifier in sorted(identifiers, key=lambda i: -i.start):
        if identifier.value not in known and identifier.kind_word:
            text = text[: identifier.start] + identifier.kind_word + text[identifier.end :]
    return text
