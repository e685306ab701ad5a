"""The readings of one document made into its Recognition: merged, checked, marked certain."""

from collections.abc import Sequence

from invoicing_core.domain.ledger_fields import FIELD_LABELS
from invoicing_core.recognition.merge import Merged, merge
from invoicing_core.recognition.reading import Reading
from invoicing_core.recognition.result import (
    Check,
    Format,
    Recognition,
    RecognizedField,
    RecognizedLine,
)
from invoicing_core.recognition.rules import apply_rules

# Without these an invoice cannot be told apart from another: each missing one is a check.
KEY_FIELDS = ("number", "date", "total_with_tax")


def assemble(format_: Format, readings: Sequence[Reading], qr_payload: str | None) -> Recognition:
    """Merge the readings (best first), apply the rules, and report every field and check."""
    document = merge(readings)
    verdict = apply_rules(document)
    fields = {
        name: _field(merged, merged.agreed or name in verdict.confirmed)
        for name, merged in document.fields.items()
    }
    lines = [
        RecognizedLine(
            **{
                key: _field(merged, f"lines[{index}].{key}" in verdict.confirmed)
                for key, merged in line.items()
                if key in RecognizedLine.__dataclass_fields__
            }
        )
        for index, line in enumerate(document.lines)
    ]
    missing = [
        Check(name, "not_found", f"未能识别{FIELD_LABELS[name]}，请核对原件后补录。")
        for name in KEY_FIELDS
        if name not in fields
    ]
    return Recognition(
        format=format_,
        fields=fields,
        lines=lines,
        checks=[*document.checks, *verdict.checks, *missing],
        qr_payload=qr_payload,
    )


def _field(merged: Merged, certain: bool) -> RecognizedField:
    return RecognizedField(merged.cell.value, merged.source, merged.cell.confidence, certain)
