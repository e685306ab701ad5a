"""The remark (备注): after its label, or the box under the price-tax total.

The digital invoice's box spans the page under the total; the old paper form's sits
right of the seller's block, 备注 written down its left side, and the seller's seal
(发票专用章, with its name and tax id) is often stamped over it.
"""

import re
from collections.abc import Sequence

from invoicing_core.recognition import values
from invoicing_core.recognition.labels import label_lines, misread_once, raw_after
from invoicing_core.recognition.parties import PARTY_LABEL
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import TextLine, compact, reading_order, rows_of

REMARK_LABEL = r"^备注"
_FOOT = re.compile(r"开票人|收款人|复核|销售方:?\(章|第[0-9]+页")
_PARTY = re.compile(PARTY_LABEL)
_WORDS = re.compile(misread_once("价税合计"))
_FIGURES = re.compile(r"小写")
# 备注 written top to bottom beside the box: single characters, one perhaps misread.
_SIDE_LABEL = re.compile(r"备|注|备.|.注")
_SELLER = ("seller_name", "seller_tax_id")
_SEAL = re.compile(misread_once("发票专用章"))
# The seal's name and tax id are centred on its 发票专用章 line, within this many of
# that line's widths above it.
SEAL_REACH = 1.5


def read_remarks(lines: Sequence[TextLine], reading: Reading) -> None:
    """Put the remark into the reading, if one is printed."""
    ordered = reading_order(lines)
    for label in label_lines(ordered, REMARK_LABEL):
        if label.height > label.right - label.left:
            continue  # written down the box's side: the box is read below
        found = raw_after(label, REMARK_LABEL, ordered)
        if found is not None and not _FOOT.search(found.line.key):
            reading.put("remarks", found.value, found.confidence)
            return
    seller = {compact(value) for name in _SELLER if (value := reading.value(name)) is not None}
    box = _box(ordered, seller)
    if box:
        text = "".join(line.text.strip() for line in box)
        reading.put("remarks", text, min(line.confidence for line in box))


def _box(ordered: Sequence[TextLine], seller: set[str]) -> list[TextLine]:
    """The remark box's lines: the rows under the price-tax total's, down to the foot;
    right of 备注 when it is read beside them (past its middle: a photo's slant);
    without party labels and the seal."""
    rows = rows_of(ordered)
    start = next((i for i, row in enumerate(rows) if any(_WORDS.search(x.key) for x in row)), None)
    if start is None:
        return []
    below: list[TextLine] = []
    for row in rows[start + 1 :]:
        if any(_FOOT.search(line.key) for line in row):
            break
        # A slanted photo may put the figures (小写) a row lower: the row ends there.
        total = next((line for line in row if _FIGURES.search(line.key)), None)
        below.extend(line for line in row if total is None or line.right <= total.left)
    side = [line for line in below if _SIDE_LABEL.fullmatch(line.key)]
    left = max((line.centre for line in side), default=float("-inf"))
    seal = _seal(ordered, seller)
    return [
        line
        for line in below
        if line.left >= left
        and line not in side
        and line not in seal
        and not _PARTY.search(line.key)
        and not values.is_uppercase(line.key)  # the total in words, a row lower on a slant
    ]


def _seal(lines: Sequence[TextLine], seller: set[str]) -> list[TextLine]:
    """The seal's lines: its 发票专用章 and the lines centred on it above, and any line
    repeating the seller's name or tax id (the seal's, when its 发票专用章 is not read)."""
    seal = [line for line in lines if line.key in seller]
    for marker in lines:
        found = _SEAL.search(marker.key)
        if found is None:
            continue
        # The marker may be read joined to a neighbour (销售方：（发票专用章): its own part.
        unit = (marker.right - marker.left) / len(marker.key)
        width = (found.end() - found.start()) * unit
        centre = marker.left + found.start() * unit + width / 2
        seal.append(marker)
        seal.extend(
            line
            for line in lines
            if line.bottom <= marker.bottom
            and marker.top - line.top <= SEAL_REACH * width
            and abs(line.centre - centre) <= width / 4
        )
    return seal
