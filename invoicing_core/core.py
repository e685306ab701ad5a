"""The invoicing core as one object: its engine and services, built from settings."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine

from invoicing_core.persistence import make_engine
from invoicing_core.recognition import MAX_INPUT_BYTES
from invoicing_core.services.accounts import AccountService
from invoicing_core.services.alerts import AlertService
from invoicing_core.services.approvals import ApprovalService
from invoicing_core.services.batch_issuing import BatchIssuing
from invoicing_core.services.invoices import InvoiceService
from invoicing_core.services.paper_stock import PaperStockService
from invoicing_core.services.password_reset import PasswordResetService
from invoicing_core.services.received_invoices import ReceivedInvoiceService
from invoicing_core.services.recognitions import RecognitionService
from invoicing_core.services.red_letter_forms import RedLetterFormService
from invoicing_core.services.reports import ReportService
from invoicing_core.services.reset_code_sender import ResetCodeSender
from invoicing_core.services.use_confirmations import UseConfirmationService
from invoicing_core.services.user_admin import UserAdminService
from invoicing_core.settings import CoreSettings


@dataclass(frozen=True)
class InvoicingCore:
    """Everything the core offers to its callers, sharing one database engine."""

    engine: Engine
    accounts: AccountService
    invoices: InvoiceService
    red_letters: RedLetterFormService
    paper_stock: PaperStockService
    batches: BatchIssuing
    reports: ReportService
    users: UserAdminService
    password_resets: PasswordResetService
    alerts: AlertService
    recognitions: RecognitionService
    received_invoices: ReceivedInvoiceService
    approvals: ApprovalService
    use_confirmations: UseConfirmationService

    @classmethod
    def open(
        cls, settings: CoreSettings, *, reset_code_sender: ResetCodeSender | None = None
    ) -> "InvoicingCore":
        """Connect to the configured database and build the services.

        `reset_code_sender` delivers password reset codes; by default they are logged.
        """
        engine = make_engine(settings.effective_database_url)
        invoices, red_letters = InvoiceService(engine), RedLetterFormService(engine)
        return cls(
            engine=engine,
            accounts=AccountService(engine, timedelta(hours=settings.token_ttl_hours)),
            invoices=invoices,
            red_letters=red_letters,
            paper_stock=PaperStockService(engine),
            batches=BatchIssuing(engine, max_file_bytes=settings.max_upload_bytes),
            reports=ReportService(engine),
            users=UserAdminService(engine),
            password_resets=PasswordResetService(engine, reset_code_sender),
            alerts=AlertService(engine),
            recognitions=RecognitionService(
                engine,
                concurrency=settings.recognition_concurrency,
                max_file_bytes=min(settings.max_upload_bytes, MAX_INPUT_BYTES),
            ),
            received_invoices=ReceivedInvoiceService(engine),
            approvals=ApprovalService(engine, invoices, red_letters),
            use_confirmations=UseConfirmationService(engine),
        )

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()
