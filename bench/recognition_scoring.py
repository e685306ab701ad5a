"""Score one recognition against its truth: which fields are right, and which are wrongly certain.

Values are compared as values, not as strings: money, quantities and rates as
decimals ("1130.0" is 1130.00, "13%" is 0.13), ids and numbers without spaces in
upper case, texts after NFKC without whitespace (and the total in words without its
leading ⊗). A field the invoice does not carry (truth None) is right when read as
nothing.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.pdf.layout import TITLES

NUMERIC = {"amount", "tax", "total_with_tax", "quantity", "unit_price"}
IDS = {"code", "number", "buyer_tax_id", "seller_tax_id", "check_code"}
HEADER = (
    "kind", "code", "number", "date", "buyer_name", "buyer_tax_id", "seller_name",
    "seller_tax_id", "amount", "tax", "total_with_tax", "total_in_words", "check_code", "remarks",
)  # fmt: skip
LINE_FIELDS = ("name", "tax_category", "quantity", "unit_price", "amount", "rate", "tax")
KEY_FIELDS = ("number", "date", "total_with_tax", "buyer_tax_id", "seller_tax_id")
# A kind read as its label or its printed title counts as the kind.
_KIND_NAMES = {
    "".join(unicodedata.normalize("NFKC", name).split()): kind.value
    for kind in InvoiceKind
    for name in (kind.label, TITLES[kind])
}


class Field(Protocol):
    """The engine's RecognizedField, as far as the benchmark reads it."""

    @property
    def value(self) -> str: ...
    @property
    def source(self) -> str: ...
    @property
    def confidence(self) -> float: ...
    @property
    def certain(self) -> bool: ...


class Line(Protocol):
    """The engine's RecognizedLine: each attribute a field or None."""

    @property
    def name(self) -> Field | None: ...
    @property
    def tax_category(self) -> Field | None: ...
    @property
    def quantity(self) -> Field | None: ...
    @property
    def unit_price(self) -> Field | None: ...
    @property
    def amount(self) -> Field | None: ...
    @property
    def rate(self) -> Field | None: ...
    @property
    def tax(self) -> Field | None: ...


class Recognition(Protocol):
    """The engine's Recognition."""

    @property
    def fields(self) -> Mapping[str, Field]: ...
    @property
    def lines(self) -> Sequence[Line]: ...
    @property
    def qr_payload(self) -> str | None: ...


@dataclass(frozen=True)
class Failure:
    """One wrong or missing reading, for the failure list."""

    file: str
    field: str
    truth: str | None
    read: str | None
    source: str = ""
    certain: bool = False


@dataclass
class Score:
    """How one item fared."""

    qr_ok: bool | None = None  # None: the QR code is not visible
    key_ok: bool = False
    lines_ok: bool = False
    fields_ok: dict[str, bool] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    certain_wrong: list[Failure] = field(default_factory=list)


def normalise(name: str, value: str | None) -> object:
    """The comparable form of a truth or read value (see the module's docstring)."""
    if value is None:
        return ""
    text = "".join(unicodedata.normalize("NFKC", str(value)).split())
    if not text:
        return ""
    if name in NUMERIC or (name == "rate" and any(c.isdigit() for c in text)):
        percent = text.endswith("%")
        try:
            number = Decimal(text.removesuffix("%").lstrip("¥"))
        except InvalidOperation:
            return text
        return number / 100 if percent else number
    if name in IDS:
        return text.upper()
    if name == "kind":
        return _KIND_NAMES.get(text, text)
    if name == "total_in_words":
        return text.lstrip("⊗ⓧ")
    return text


def same(name: str, truth: str | None, read: str | None) -> bool:
    return normalise(name, truth) == normalise(name, read)


def _value(found: Field | None) -> str | None:
    return None if found is None else found.value


def score(
    file: str, truth: dict[str, Any], recognition: Recognition | None, error: str = ""
) -> Score:
    """Compare a recognition (None: the engine refused the file with `error`) to the truth."""
    result = Score()
    fields: dict[str, str | None] = truth["fields"]
    if recognition is None:
        result.qr_ok = False if truth["qr_visible"] else None
        result.failures.append(Failure(file, "error", None, error))
        result.fields_ok = {name: False for name in HEADER if name in fields}
        return result
    read_fields = recognition.fields
    for name in HEADER:
        if name not in fields:
            continue
        found = read_fields.get(name)
        ok = same(name, fields[name], _value(found))
        result.fields_ok[name] = ok
        if not ok and found is not None and found.certain:
            result.certain_wrong.append(
                Failure(file, name, fields[name], found.value, found.source, True)
            )
    keys = KEY_FIELDS + (("code",) if fields.get("code") else ())
    result.key_ok = all(result.fields_ok[name] for name in keys)
    for name in keys:
        if not result.fields_ok[name]:
            found = read_fields.get(name)
            result.failures.append(
                Failure(
                    file,
                    name,
                    fields[name],
                    _value(found),
                    found.source if found else "",
                    found.certain if found else False,
                )
            )
    if truth["qr_visible"]:
        result.qr_ok = recognition.qr_payload == truth["qr_payload"]
        if not result.qr_ok:
            result.failures.append(Failure(file, "qr", truth["qr_payload"], recognition.qr_payload))
    _score_lines(file, truth["lines"], recognition.lines, result)
    return result


def _score_lines(
    file: str, truths: list[dict[str, str | None]], lines: Sequence[Line], result: Score
) -> None:
    """Pair read lines with true ones in order (`align`), then judge each pair.

    A true line left unpaired is missing, a read line left unpaired is extra; a
    certain value on an extra line is wrong unless some true line has it.
    """
    pairs = align(truths, lines)
    paired_truths = {t for t, _ in pairs}
    paired_reads = {r for _, r in pairs}
    amounts_ok = len(pairs) == len(truths) == len(lines)
    for t, truth in enumerate(truths):
        if t not in paired_truths:
            result.failures.append(Failure(file, f"line {t + 1} missing", truth["amount"], None))
    for t, r in pairs:
        truth, line = truths[t], lines[r]
        for name in LINE_FIELDS:
            found: Field | None = getattr(line, name)
            expected = truth[name]
            if expected is None and name == "tax":
                continue  # an exempt line's tax prints as *** and has no value to compare
            if same(name, expected, _value(found)):
                continue
            certain = found is not None and found.certain
            source = found.source if found else ""
            if name == "amount":
                amounts_ok = False
                result.failures.append(
                    Failure(file, f"line {t + 1} amount", expected, _value(found), source, certain)
                )
            if found is not None and certain:
                result.certain_wrong.append(
                    Failure(file, f"line {t + 1} {name}", expected, found.value, source, True)
                )
    for r, line in enumerate(lines):
        if r in paired_reads:
            continue
        result.failures.append(Failure(file, "extra line", None, _value(line.amount)))
        for name in LINE_FIELDS:
            found = getattr(line, name)
            if found is None or not found.certain:
                continue
            if not any(same(name, truth[name], found.value) for truth in truths):
                result.certain_wrong.append(
                    Failure(file, f"extra line {name}", None, found.value, found.source, True)
                )
    result.lines_ok = amounts_ok


def align(truths: list[dict[str, str | None]], lines: Sequence[Line]) -> list[tuple[int, int]]:
    """Pairs (true index, read index) in order, most agreeing cells first (an LCS by weight).

    A pair must agree on at least one cell of amount, name, quantity and unit price, so a
    line the engine skipped does not shift every later line onto the wrong truth.
    """
    keys = ("amount", "name", "quantity", "unit_price")

    def weight(t: int, r: int) -> int:
        return sum(
            bool(truths[t][key]) and same(key, truths[t][key], _value(getattr(lines[r], key)))
            for key in keys
        )

    rows, cols = len(truths), len(lines)
    best = [[0] * (cols + 1) for _ in range(rows + 1)]
    for t in range(rows - 1, -1, -1):
        for r in range(cols - 1, -1, -1):
            paired = weight(t, r)
            best[t][r] = max(
                best[t + 1][r],
                best[t][r + 1],
                best[t + 1][r + 1] + paired if paired else 0,
            )
    pairs, t, r = [], 0, 0
    while t < rows and r < cols:
        paired = weight(t, r)
        if paired and best[t][r] == best[t + 1][r + 1] + paired:
            pairs.append((t, r))
            t, r = t + 1, r + 1
        elif best[t][r] == best[t + 1][r]:
            t += 1
        else:
            r += 1
    return pairs
