"""The remark (备注): after its label, or the box under the price-tax total."""

import re
from collections.abc import Sequence

from invoicing_core.recognition.labels import label_lines, raw_after
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import TextLine, reading_order, rows_of

REMARK_LABEL = r"^备注"
_FOOT = re.compile(r"开票人|收款人|复核|销售方[(（]章|第[0-9]+页")
_PARTY = re.compile(r"名称|纳税人识别号|统一社会信用代码|地址|电话|开户行|账号")
_TOTAL_ROW = re.compile(r"价税合计|\(?小写\)?")
# The digital invoice writes 备注 top to bottom in a narrow column: single characters.
_SIDE_LABEL = {"备", "注", "备注"}


def read_remarks(lines: Sequence[TextLine], reading: Reading) -> None:
    """Put the remark into the reading, if one is printed."""
    ordered = reading_order(lines)
    for label in label_lines(ordered, REMARK_LABEL):
        found = raw_after(label, REMARK_LABEL, ordered)
        if found is not None and not _FOOT.search(found.line.key):
            reading.put("remarks", found.value, found.confidence)
            return
    totals = [line for line in ordered if _TOTAL_ROW.search(line.key)]
    if not totals:
        return
    top = max(line.bottom for line in totals)
    box: list[TextLine] = []
    for row in rows_of(line for line in ordered if line.top >= top):
        if any(_FOOT.search(line.key) for line in row):
            break
        box.extend(
            line for line in row if line.key not in _SIDE_LABEL and not _PARTY.search(line.key)
        )
    if box:
        text = "".join(line.text.strip() for line in box)
        reading.put("remarks", text, min(line.confidence for line in box))
