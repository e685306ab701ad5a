"""Paper invoices received from the tax bureau (领用发票): recording rolls, what is left."""

from sqlalchemy import Engine

from invoicing_core.domain import audit_actions
from invoicing_core.domain.errors import Forbidden, InvalidInput
from invoicing_core.domain.kind import InvoiceKind
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.persistence.database import begin_write
from invoicing_core.persistence.numbers import add_paper_stock, paper_left
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now

# A roll larger than this is a typing mistake rather than a delivery.
MAX_ROLL = 100_000


class PaperStockService:
    """The paper invoice stock of a company."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def receive(
        self, who: Principal, kind: InvoiceKind, code: str, first: int, count: int
    ) -> dict[InvoiceKind, int]:
        """Record a roll of `count` invoices from `first` (admins); what is left afterwards."""
        company_id = who.company_as_admin("登记领用的纸质发票")
        if kind.is_digital:
            raise InvalidInput("数电发票没有纸质库存，只有纸质发票需要登记领用。", field="kind")
        if not 1 <= count <= MAX_ROLL:
            raise InvalidInput(f"领用份数应在1到{MAX_ROLL}之间。", field="count")
        now = self._clock()
        with begin_write(self._engine) as connection:
            add_paper_stock(connection, company_id, kind, code, first, count)
            after = {"kind": kind.value, "code": code, "first": first, "count": count}
            entry = AuditEntry(
                who.username, audit_actions.PAPER_STOCK_RECEIVED, code, now, company_id, None, after
            )
            record(connection, entry)
            return paper_left(connection, company_id)

    def left(self, who: Principal) -> dict[InvoiceKind, int]:
        """Paper invoices left of each kind the caller's company has received."""
        if who.company_id is None:
            raise Forbidden("该账号不属于任何企业，没有发票库存。")
        with self._engine.connect() as connection:
            return paper_left(connection, who.company_id)
