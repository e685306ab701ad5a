"""Buyer and seller: each party's name and taxpayer id, told apart by where they print.

Each party's 名称 and 纳税人识别号 labels stack in a block: on a digital invoice the
buyer's block is on the left and the seller's on the right; on the old paper layout
the buyer's is above and the seller's below. Either way the buyer's block comes first
in reading order, and a block titled 购买方 or 销售方 (printed down its left side) is
that party's whatever its place. Without a title, only two blocks are placed for sure:
with one label of a pair misread a block may be missing or split, so what a lone block
(or one of three) holds is marked unsure.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cmp_to_key

from invoicing_core.recognition import values
from invoicing_core.recognition.labels import label_lines, misread_once, raw_after, value_after
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import TextLine, compact, reading_order

# 名　　称：, its characters printed apart and perhaps one of them unread or misread.
NAME_LABEL = r"^(?:购买方|销售方|购方|销方)?(?:名称|名:?$|.?称:)"
TAX_ID_LABEL = "|".join(
    (
        "统一社会信用代码/?纳税人识别号",
        misread_once("纳税人识别号"),
        misread_once("统一社会信用代码"),
    )
)
ADDRESS_LABEL = r"^地址|电话:?$"
BANK_LABEL = r"户行|账号:?$"
# Any party label (the old paper form adds 地址、电话 and 开户行及账号).
PARTY_LABEL = "|".join((NAME_LABEL, TAX_ID_LABEL, ADDRESS_LABEL, BANK_LABEL))
_TITLE = re.compile(r"^(购买方|购方|销售方|销方)(信息)?$")
PARTIES = ("buyer", "seller")
# An id label is its party's when it starts within this many line heights of the name
# label's left edge, at most this many line heights below it (a row or two unread).
COLUMN_SLACK = 3
BLOCK_GAP = 4


@dataclass
class _Block:
    """One party's labels: its name's and its taxpayer id's (either may be unread)."""

    name: TextLine | None = None
    tax_id: TextLine | None = None

    @property
    def lines(self) -> list[TextLine]:
        return [line for line in (self.name, self.tax_id) if line is not None]

    @property
    def top(self) -> float:
        return min(line.top for line in self.lines)

    @property
    def bottom(self) -> float:
        return max(line.bottom for line in self.lines)

    @property
    def left(self) -> float:
        return min(line.left for line in self.lines)


def read_parties(lines: Sequence[TextLine], reading: Reading, page_width: float) -> None:
    """Put the buyer's and seller's names and taxpayer ids into the reading."""
    ordered = reading_order(lines)
    titles = [line for line in ordered if _TITLE.match(line.key)]
    blocks = _blocks(label_lines(ordered, NAME_LABEL), label_lines(ordered, TAX_ID_LABEL))
    for block, (party, sure) in zip(blocks, _sides(blocks, titles, page_width), strict=True):
        if block.name is not None:
            found = raw_after(block.name, NAME_LABEL, ordered)
            if found is not None and not _is_label(found.value):
                _put(reading, f"{party}_name", found.value, found.confidence, sure=sure)
        if block.tax_id is not None:
            tax_id = value_after(block.tax_id, TAX_ID_LABEL, ordered, values.tax_id)
            if tax_id is not None:
                _put(reading, f"{party}_tax_id", tax_id.value, tax_id.confidence, sure=sure)


def _blocks(names: Sequence[TextLine], ids: Sequence[TextLine]) -> list[_Block]:
    """The labels grouped by party, in reading order: each id label with the name label
    just above it in its column, if one is read."""
    blocks = [_Block(name=name) for name in names]
    for label in ids:
        above = [
            block
            for block in blocks
            if block.name is not None
            and block.tax_id is None
            and block.name.top < label.top
            and label.top - block.name.bottom <= BLOCK_GAP * label.height
            and abs(label.left - block.name.left) <= COLUMN_SLACK * label.height
        ]
        if above:
            max(above, key=lambda block: block.top).tax_id = label
        else:
            blocks.append(_Block(tax_id=label))
    return sorted(blocks, key=cmp_to_key(_reading_order))


def _reading_order(a: _Block, b: _Block) -> int:
    """Blocks side by side (rows overlapping) left to right, else top to bottom."""
    if a.top < b.bottom and b.top < a.bottom:
        return -1 if a.left < b.left else 1
    return -1 if a.top < b.top else 1


def _sides(
    blocks: Sequence[_Block], titles: Sequence[TextLine], page_width: float
) -> list[tuple[str, bool]]:
    """Each block's party and whether it is sure: by its title; else buyer then seller in
    reading order (sure when there are just two); a lone block by its half of the page,
    unsure."""
    sides: list[tuple[str, bool]] = []
    for index, block in enumerate(blocks):
        title = _title(block, titles)
        if title is not None:
            sides.append((title, True))
        elif len(blocks) >= len(PARTIES):
            sides.append((PARTIES[min(index, 1)], len(blocks) == len(PARTIES)))
        else:
            centre = block.lines[0].centre
            sides.append(("seller" if centre > page_width / 2 else "buyer", False))
    return sides


def _title(block: _Block, titles: Sequence[TextLine]) -> str | None:
    """The party named by the title printed just left of the block, beside its rows."""
    height = block.lines[0].height
    beside = [
        title
        for title in titles
        if -height <= block.left - title.right <= COLUMN_SLACK * height
        and title.top < block.bottom
        and title.bottom > block.top
    ]
    if not beside:
        return None
    nearest = max(beside, key=lambda title: title.right)
    return "buyer" if nearest.key.startswith("购") else "seller"


def _put(reading: Reading, name: str, value: str, confidence: float, *, sure: bool) -> None:
    reading.put(name, value, confidence)
    if not sure:
        reading.unsure.add(name)


def _is_label(text: str) -> bool:
    """Whether a 'name' read is in fact the other party's label (this party's name empty)."""
    key = compact(text)
    return key.startswith("名称") or "纳税人识别号" in key
