"""Putting the readings of one document together: one value per field, disagreements told.

The QR code's value is reported where it carries the field (a QR code either reads
whole or not at all; printed digits may be misread); otherwise the first printed
reading's. A field two readings agree on (or that the QR code's own check vouches for) is
confirmed unless another reading disagrees; a disagreement is a check, and the
value stays as read: nothing is corrected.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field

from invoicing_core.domain.ledger_fields import FIELD_LABELS
from invoicing_core.recognition.reading import Cell, Reading
from invoicing_core.recognition.result import Check, Source

_SOURCE_LABELS = {"qr": "二维码", "text_layer": "文字层", "ocr": "图像识别"}


@dataclass(frozen=True)
class Merged:
    """A field's chosen value, where it came from, and whether two readings agreed."""

    cell: Cell
    source: Source
    agreed: bool


@dataclass
class MergedDocument:
    """The fields and lines of one document after merging, with the checks so far."""

    fields: dict[str, Merged] = field(default_factory=dict)
    lines: list[dict[str, Merged]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    unsure: set[str] = field(default_factory=set)
    # Fields that readings disagree on: never certain, whatever a rule says.
    disputed: set[str] = field(default_factory=set)

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.cell.value if found is not None else None


def merge(readings: Sequence[Reading]) -> MergedDocument:
    """Merge readings given best first (the QR code's, then printed ones)."""
    document = MergedDocument()
    names = [name for name in FIELD_LABELS if any(name in r.fields for r in readings)]
    for name in names:
        document.fields[name] = _merge_field(name, readings, document.checks)
    document.disputed = {check.field for check in document.checks}
    printed = next((r for r in readings if r.lines), None)
    if printed is not None:
        document.lines = [
            {key: Merged(cell, printed.source, agreed=False) for key, cell in line.items()}
            for line in printed.lines
        ]
    for reading in readings:
        document.unsure |= {name for name in reading.unsure if name in reading.fields}
    return document


def _merge_field(name: str, readings: Sequence[Reading], checks: list[Check]) -> Merged:
    holders = [r for r in readings if name in r.fields]
    chosen = holders[0]
    cell = chosen.fields[name]
    agreeing = [r for r in holders[1:] if r.fields[name].value == cell.value]
    disagreeing = [r for r in holders[1:] if r.fields[name].value != cell.value]
    checks.extend(_disagreement(name, chosen, other) for other in disagreeing)
    if not disagreeing and (agreeing or name in chosen.self_checked):
        best = max([cell.confidence, *(r.fields[name].confidence for r in agreeing)])
        return Merged(Cell(cell.value, best), chosen.source, agreed=True)
    if disagreeing:
        return Merged(Cell(cell.value, min(cell.confidence, 0.5)), chosen.source, agreed=False)
    return Merged(cell, chosen.source, agreed=False)


def _disagreement(name: str, chosen: Reading, other: Reading) -> Check:
    label = FIELD_LABELS[name]
    mine, theirs = chosen.fields[name].value, other.fields[name].value
    code = "qr_mismatch" if "qr" in (chosen.source, other.source) else "source_mismatch"
    message = (
        f"{label}不一致：{_SOURCE_LABELS[chosen.source]}为“{mine}”，"
        f"{_SOURCE_LABELS[other.source]}为“{theirs}”，请核对原件。"
    )
    return Check(name, code, message)
