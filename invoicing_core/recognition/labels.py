"""Finding a printed label and the value printed after it, on its line or to its right."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from invoicing_core.recognition.text_lines import TextLine, compact, right_neighbour

Reader = Callable[[str], str | None]


@dataclass(frozen=True)
class Found:
    """A value read after a label, the line it came from, and that line's confidence."""

    value: str
    line: TextLine
    confidence: float


def misread_once(label: str) -> str:
    """A regular expression for a label as printed or with one character misread
    (纳税人识别号 read 纳税人识刻号): OCR often gets one character of a label wrong."""
    return "|".join(f"{label[:i]}.{label[i + 1 :]}" for i in range(len(label)))


def label_lines(lines: Sequence[TextLine], pattern: str) -> list[TextLine]:
    """The lines holding a label (a regular expression over the compacted text)."""
    wanted = re.compile(pattern)
    return [line for line in lines if wanted.search(line.key)]


def value_after(
    label: TextLine, pattern: str, lines: Sequence[TextLine], read: Reader
) -> Found | None:
    """Read the value after the label: the rest of its own line, else the next line right."""
    match = re.search(pattern, label.key)
    if match is not None:
        rest = label.key[match.end() :].lstrip(":：")
        value = read(rest) if rest else None
        if value is not None:
            return Found(value, label, label.confidence)
    neighbour = _neighbour(label, pattern, lines)
    if neighbour is not None:
        value = read(neighbour.key)
        if value is not None:
            return Found(value, neighbour, neighbour.confidence)
    return None


def raw_after(label: TextLine, pattern: str, lines: Sequence[TextLine]) -> Found | None:
    """The printed text after a label (names, remarks): its own line's rest, else the right."""
    match = re.search(pattern, compact(label.text))
    if match is not None:
        rest = _original_rest(label.text, match.end()).strip().lstrip(":：").strip()
        if rest:
            return Found(rest, label, label.confidence)
    neighbour = _neighbour(label, pattern, lines)
    if neighbour is not None and neighbour.text.strip():
        return Found(neighbour.text.strip().lstrip(":：").strip(), neighbour, neighbour.confidence)
    return None


def _neighbour(label: TextLine, pattern: str, lines: Sequence[TextLine]) -> TextLine | None:
    """The line right of a label, unless it is the same label again: the other party's
    column (the buyer's empty id row beside the seller's)."""
    neighbour = right_neighbour(label, lines)
    if neighbour is None or re.search(pattern, neighbour.key):
        return None
    return neighbour


def _original_rest(text: str, compact_end: int) -> str:
    """The original text after the first `compact_end` compacted characters.

    Names keep their printed form (full-width brackets and all), so the label is cut
    from the original text, not from its compacted key.
    """
    seen = 0
    for index, char in enumerate(text):
        if seen >= compact_end:
            return text[index:]
        seen += len(compact(char))
    return ""
