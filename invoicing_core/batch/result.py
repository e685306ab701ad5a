"""What parsing a batch yields: invoice drafts ready to issue, and every bad row."""

from dataclasses import dataclass
from decimal import Decimal

from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.domain.line import InvoiceLine
from invoicing_core.domain.party import Party

# What is wrong with one row: (column header or None, message) pairs.
Problems = list[tuple[str | None, str]]


@dataclass(frozen=True, kw_only=True)
class RowError:
    """One problem: where (sheet, 1-based row as the spreadsheet shows it, column) and why."""

    sheet: str | None
    row: int
    field: str | None
    message: str

    def as_dict(self) -> dict[str, str | int]:
        """The contract's {sheet?, row, field?, message}, leaving out what is unknown."""
        shown: dict[str, str | int] = {"row": self.row, "message": self.message}
        if self.sheet is not None:
            shown["sheet"] = self.sheet
        if self.field is not None:
            shown["field"] = self.field
        return shown


@dataclass(frozen=True, kw_only=True)
class InvoiceDraft:
    """A valid invoice of the batch, checked by the domain, waiting for number and seller.

    `sheet` and `row` point to its row in 发票基本信息 (or the CSV file), so a refusal at
    issuing time (quota, say) can be reported where the user looks.
    """

    serial: str
    kind: InvoiceKind
    buyer: Party
    lines: tuple[InvoiceLine, ...]
    remark: str
    sheet: str | None
    row: int

    # A batch issues blue invoices only.
    is_red = False

    @property
    def total_amount(self) -> Decimal:
        """The lines' tax-exclusive total."""
        return sum((line.amount for line in self.lines), Decimal(0))

    @property
    def total_with_tax(self) -> Decimal:
        """The price-tax total the invoice will show."""
        return sum((line.total_with_tax for line in self.lines), Decimal(0))


@dataclass(frozen=True)
class BatchResult:
    """The drafts in file order, and the errors of every rejected row."""

    drafts: tuple[InvoiceDraft, ...]
    errors: tuple[RowError, ...]
