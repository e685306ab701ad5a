"""The invoicing core as one object: its engine and services, built from settings."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from invoicing_core.persistence import make_engine
from invoicing_core.services.accounts import AccountService
from invoicing_core.services.invoices import InvoiceService
from invoicing_core.services.reports import ReportService
from invoicing_core.settings import CoreSettings


@dataclass(frozen=True)
class InvoicingCore:
    """Everything the core offers to its callers, sharing one database engine."""

    engine: Engine
    accounts: AccountService
    invoices: InvoiceService
    reports: ReportService

    @classmethod
    def open(cls, settings: CoreSettings) -> "InvoicingCore":
        """Connect to the configured database and build the services."""
        engine = make_engine(settings.effective_database_url)
        accounts = AccountService(engine, timedelta(hours=settings.token_ttl_hours))
        return cls(engine, accounts, InvoiceService(engine), ReportService(engine))

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
