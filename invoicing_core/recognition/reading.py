"""What one source read: values with the reader's confidence, before any cross-check."""

from dataclasses import dataclass, field

from invoicing_core.recognition.result import Source


@dataclass(frozen=True)
class Cell:
    """A normalised value and how sure its reader was (1.0 for exact text)."""

    value: str
    confidence: float = 1.0


@dataclass
class Reading:
    """Fields (named as in `ledger_fields.FIELD_LABELS`) and item lines read from one source."""

    source: Source
    fields: dict[str, Cell] = field(default_factory=dict)
    lines: list[dict[str, Cell]] = field(default_factory=list)
    # Fields read where the layout left doubt (a party label without its twin): never certain.
    unsure: set[str] = field(default_factory=set)
    # Fields the source's own check vouches for (a QR payload whose check digits hold).
    self_checked: set[str] = field(default_factory=set)

    def put(self, name: str, value: str | None, confidence: float = 1.0) -> None:
        """Keep the first value read for a field; later pages repeat the header."""
        if value is not None and value != "" and name not in self.fields:
            self.fields[name] = Cell(value, confidence)

    def value(self, name: str) -> str | None:
        found = self.fields.get(name)
        return found.value if found else None
