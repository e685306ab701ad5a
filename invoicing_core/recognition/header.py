"""The invoice's header: kind (from its title), code, number, date and check code."""

import re
from collections.abc import Sequence

from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.recognition import values
from invoicing_core.recognition.labels import Reader, label_lines, value_after
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.text_lines import TextLine, reading_order, right_of

# Titles as printed (compacted: full-width brackets read as ASCII); OCR may drop brackets.
_TITLES = (
    (re.compile(r"电子发票\(?增值税专用发票"), InvoiceKind.DIGITAL_SPECIAL),
    (re.compile(r"电子发票\(?普通发票"), InvoiceKind.DIGITAL_GENERAL),
    (re.compile(r"(?<!电子)增值税专用发票"), InvoiceKind.PAPER_SPECIAL),
    (re.compile(r"(?<!电子)增值税普通发票"), InvoiceKind.PAPER_GENERAL),
)
NUMBER_LABEL = r"发票号码|发票号"
CODE_LABEL = r"发票代码"
DATE_LABEL = r"开票日期"
CHECK_CODE_LABEL = r"校验码"
DIGITAL_NUMBER_DIGITS = 20
PAPER_NUMBER_DIGITS = 8
PAPER_CODE_DIGITS = (10, 12)
CHECK_CODE_DIGITS = 20


def read_header(lines: Sequence[TextLine], reading: Reading) -> None:
    """Put kind, code, number, date and check code into the reading where printed."""
    ordered = reading_order(lines)
    kind = _kind(ordered)
    if kind is not None:
        reading.put("kind", kind[0].value, kind[1])
    _labelled(ordered, reading, "code", CODE_LABEL, lambda t: values.digits(t, *PAPER_CODE_DIGITS))
    _labelled(
        ordered,
        reading,
        "number",
        NUMBER_LABEL,
        lambda t: values.digits(t, DIGITAL_NUMBER_DIGITS, PAPER_NUMBER_DIGITS),
    )
    if "number" not in reading.fields:
        _unlabelled_digital_number(ordered, reading)
    _labelled(ordered, reading, "date", DATE_LABEL, values.issue_date)
    _check_code(ordered, reading)


def has_title(lines: Sequence[TextLine]) -> bool:
    """Whether any line holds an invoice title (发票)."""
    return any("发票" in line.key for line in lines)


def _kind(lines: Sequence[TextLine]) -> tuple[InvoiceKind, float] | None:
    for line in lines:
        for pattern, kind in _TITLES:
            if pattern.search(line.key):
                return kind, line.confidence
    return None


def _labelled(
    lines: Sequence[TextLine],
    reading: Reading,
    name: str,
    label: str,
    read: Reader,
) -> None:
    for line in label_lines(lines, label):
        found = value_after(line, label, lines, read)
        if found is not None:
            reading.put(name, found.value, found.confidence)
            return


def _check_code(lines: Sequence[TextLine], reading: Reading) -> None:
    """The 20-digit 校验码, printed in groups of five that OCR may read apart."""
    for label in label_lines(lines, CHECK_CODE_LABEL):
        rest = label.key.split("校验码", 1)[1].lstrip(":")
        parts = [rest, *(line.key for line in right_of(label, lines))]
        text = "".join(parts)
        code = values.digits(text, CHECK_CODE_DIGITS)
        if code is not None:
            confidence = min(
                [label.confidence, *(line.confidence for line in right_of(label, lines))]
            )
            reading.put("check_code", code, confidence)
            return


def _unlabelled_digital_number(lines: Sequence[TextLine], reading: Reading) -> None:
    """A 20-digit run standing alone near the top: the 数电 number when its label was missed."""
    for line in lines:
        if re.fullmatch(r"(?:No\.?|N[o0]:?)?[0-9]{20}", line.key):
            reading.put("number", line.key[-DIGITAL_NUMBER_DIGITS:], line.confidence * 0.9)
            return
