"""Positioned text, as every reader hands it over: a PDF's text layer, OCR, an OFD page.

Coordinates grow rightwards and downwards (as on an image), in any unit a reader
likes, as long as one page uses one unit.
"""

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from invoicing_core.recognition.result import Source


@dataclass(frozen=True)
class TextLine:
    """A run of text and its box; `confidence` is the reader's own (1.0 for exact text)."""

    text: str
    left: float
    top: float
    right: float
    bottom: float
    confidence: float = 1.0

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1e-6)

    @property
    def middle(self) -> float:
        """The vertical centre."""
        return (self.top + self.bottom) / 2

    @property
    def centre(self) -> float:
        """The horizontal centre."""
        return (self.left + self.right) / 2

    @property
    def key(self) -> str:
        """The text for matching labels: NFKC (full-width → ASCII), no spaces."""
        return compact(self.text)


@dataclass(frozen=True)
class Page:
    """The text lines of one page and where they came from."""

    lines: tuple[TextLine, ...]
    source: Source
    width: float
    height: float


def compact(text: str) -> str:
    """NFKC-normalised text without whitespace, for matching labels and numbers."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def same_row(a: TextLine, b: TextLine) -> bool:
    """Whether two lines sit on one printed row (their vertical centres are close)."""
    return abs(a.middle - b.middle) <= 0.5 * min(a.height, b.height) + 1e-6


def reading_order(lines: Iterable[TextLine]) -> list[TextLine]:
    """Lines by row, top to bottom, and left to right within a row."""
    ordered: list[TextLine] = []
    for row in rows_of(lines):
        ordered.extend(row)
    return ordered


def rows_of(lines: Iterable[TextLine]) -> list[list[TextLine]]:
    """Group lines into printed rows, top to bottom, each left to right."""
    rows: list[list[TextLine]] = []
    for line in sorted(lines, key=lambda item: item.middle):
        if rows and same_row(_anchor(rows[-1]), line):
            rows[-1].append(line)
        else:
            rows.append([line])
    return [sorted(row, key=lambda item: item.left) for row in rows]


# A value printed further right of its label than this many character heights belongs
# to something else (another column, the old invoice's 密码区).
MAX_VALUE_GAP = 12


def right_neighbour(label: TextLine, lines: Sequence[TextLine]) -> TextLine | None:
    """The nearest line on the label's row that starts right of it, not too far."""
    return next(iter(right_of(label, lines)), None)


def right_of(label: TextLine, lines: Sequence[TextLine]) -> list[TextLine]:
    """The lines on the label's row right of it, nearest first, each close to the one before."""
    candidates = sorted(
        (
            line
            for line in lines
            if line is not label
            and same_row(label, line)
            and line.left >= label.right - label.height
        ),
        key=lambda line: line.left,
    )
    run: list[TextLine] = []
    edge = label.right
    for line in candidates:
        if line.left - edge > MAX_VALUE_GAP * label.height:
            break
        run.append(line)
        edge = line.right
    return run


def _anchor(row: list[TextLine]) -> TextLine:
    # The row's first line decides membership, so a row never drifts down a slanted photo.
    return row[0]


def join_spaced_characters(lines: Sequence[TextLine]) -> list[TextLine]:
    """Join single CJK characters printed apart on one row ("合　　计" read as 合, 计;
    "名　　称：" read as 名, 称：).

    Only lone CJK characters close together are joined (each within 2.5 character
    heights of the one before, on its row), so table cells, digits and letters stay
    apart; a colon ends a label.
    """
    runs: list[list[TextLine]] = []
    for line in sorted((line for line in lines if _lone_cjk(line)), key=lambda x: x.left):
        run = next(
            (
                run
                for run in runs
                if not run[-1].key.endswith(":")
                and same_row(run[-1], line)
                and line.left - run[-1].right <= 2.5 * line.height
            ),
            None,
        )
        if run is None:
            runs.append([line])
        else:
            run.append(line)
    return [line for line in lines if not _lone_cjk(line)] + [_joined(run) for run in runs]


def _lone_cjk(line: TextLine) -> bool:
    character = line.key.removesuffix(":")
    return len(character) == 1 and "\u4e00" <= character <= "\u9fff"


def _joined(run: Sequence[TextLine]) -> TextLine:
    if len(run) == 1:
        return run[0]
    return TextLine(
        "".join(line.text for line in run),
        run[0].left,
        min(line.top for line in run),
        run[-1].right,
        max(line.bottom for line in run),
        min(line.confidence for line in run),
    )
