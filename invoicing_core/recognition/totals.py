"""The totals: 合计 (amount and tax), 价税合计 in words (大写) and in figures (小写)."""

from collections.abc import Sequence

from invoicing_core.recognition import values
from invoicing_core.recognition.labels import label_lines, value_after
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import TextLine, reading_order, rows_of, same_row

SUM_LABEL = r"(?<!价税)合计|^计$"  # 合　　计; OCR may keep only the 计
WORDS_LABEL = r"价税合计\(?大写\)?|\(大写\)"
FIGURES_LABEL = r"\(?小写\)?"


def read_totals(lines: Sequence[TextLine], reading: Reading) -> None:
    """Put amount, tax, total with tax and the total in words into the reading."""
    ordered = reading_order(lines)
    _sum_row(ordered, reading)
    for label in label_lines(ordered, WORDS_LABEL):
        found = value_after(label, WORDS_LABEL, ordered, values.uppercase)
        if found is not None:
            reading.put("total_in_words", found.value, found.confidence)
            break
    for label in label_lines(ordered, FIGURES_LABEL):
        found = value_after(label, FIGURES_LABEL, ordered, values.money)
        if found is not None:
            reading.put("total_with_tax", found.value, found.confidence)
            break


def sum_label(lines: Sequence[TextLine]) -> TextLine | None:
    """The 合计 label of the line table's sum row (the line table ends above it)."""
    found = label_lines(reading_order(lines), SUM_LABEL)
    return found[0] if found else None


def _sum_row(lines: Sequence[TextLine], reading: Reading) -> None:
    label = sum_label(lines)
    if label is None:
        row = _unlabelled_sum_row(lines)
    else:
        row = [label]
        for line in sorted(lines, key=lambda line: line.left):
            if line.left > row[-1].left and same_row(row[-1], line):
                row.append(line)  # each beside the one before: a slanted row stays whole
    amounts = [(amount, line.confidence) for line in row for amount in values.all_money(line.key)]
    if amounts:
        reading.put("amount", *amounts[0])
    if len(amounts) > 1:
        reading.put("tax", *amounts[1])


def _unlabelled_sum_row(lines: Sequence[TextLine]) -> list[TextLine]:
    """The 合计 row when its label was not read: the first row of ¥ amounts that is not
    the price-tax total's."""
    for row in rows_of(lines):
        keys = "".join(line.key for line in row)
        if "价税" in keys or "小写" in keys or "大写" in keys:
            continue
        if sum(line.key.startswith(("¥", "￥")) for line in row) >= 2:
            return row
    return []
