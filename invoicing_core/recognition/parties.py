"""Buyer and seller: each party's name and taxpayer id, told apart by where they print.

On a digital invoice the buyer is on the left and the seller on the right; on the
old paper layout the buyer is above and the seller below. Either way the buyer's
labels come first in reading order. A label left alone (its twin not read) cannot be
placed for sure, so what follows it is marked unsure.
"""

from collections.abc import Sequence

from invoicing_core.recognition import values
from invoicing_core.recognition.labels import label_lines, raw_after, value_after
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import TextLine, compact, reading_order

NAME_LABEL = r"^(?:购买方|销售方|购方|销方)?名称"
TAX_ID_LABEL = r"统一社会信用代码/?纳税人识别号|纳税人识别号|统一社会信用代码"
PARTIES = ("buyer", "seller")


def read_parties(lines: Sequence[TextLine], reading: Reading, page_width: float) -> None:
    """Put the buyer's and seller's names and taxpayer ids into the reading."""
    ordered = reading_order(lines)
    names = label_lines(ordered, NAME_LABEL)
    ids = label_lines(ordered, TAX_ID_LABEL)
    name_sides = _sides(names, page_width)
    id_sides = _sides_beside(ids, names, name_sides) if names else _sides(ids, page_width)
    for label, (party, sure) in zip(names, name_sides, strict=True):
        found = raw_after(label, NAME_LABEL, ordered)
        if found is not None and not _is_label(found.value):
            _put(reading, f"{party}_name", found.value, found.confidence, sure=sure)
    for label, (party, sure) in zip(ids, id_sides, strict=True):
        tax_id = value_after(label, TAX_ID_LABEL, ordered, values.tax_id)
        if tax_id is not None:
            _put(reading, f"{party}_tax_id", tax_id.value, tax_id.confidence, sure=sure)


def _put(reading: Reading, name: str, value: str, confidence: float, *, sure: bool) -> None:
    reading.put(name, value, confidence)
    if not sure:
        reading.unsure.add(name)


def _sides(labels: Sequence[TextLine], page_width: float) -> list[tuple[str, bool]]:
    """Buyer then seller in reading order; a lone label by its half of the page, unsure."""
    if len(labels) >= len(PARTIES):
        return [(PARTIES[min(i, 1)], i < len(PARTIES)) for i in range(len(labels))]
    return [("seller" if label.centre > page_width / 2 else "buyer", False) for label in labels]


def _sides_beside(
    ids: Sequence[TextLine], names: Sequence[TextLine], name_sides: Sequence[tuple[str, bool]]
) -> list[tuple[str, bool]]:
    """Each id label belongs to the name label nearest above it, in its column."""
    sides: list[tuple[str, bool]] = []
    for label in ids:
        above = [
            (abs(label.left - name.left) + (label.top - name.top), side)
            for name, side in zip(names, name_sides, strict=True)
            if name.top <= label.top
        ]
        if above:
            sides.append(min(above)[1])
        else:
            sides.append(("buyer", False))
    return sides


def _is_label(text: str) -> bool:
    """Whether a 'name' read is in fact the other party's label (this party's name empty)."""
    key = compact(text)
    return key.startswith("名称") or "纳税人识别号" in key
