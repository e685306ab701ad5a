"""The buyer's 用途确认: a buyer company's users confirm the use of an invoice issued to it
in this system (抵扣 or 不抵扣), once; the confirmation decides the red-letter path
(domain/use_confirmation.py `buyer_confirmed_use`, read by services/red_letter_forms.py)."""

from dataclasses import dataclass

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from invoicing_core.domain import audit_actions
from invoicing_core.domain.errors import Forbidden, InvalidInput, InvoiceNotFound
from invoicing_core.domain.invoice import Invoice
from invoicing_core.domain.use_confirmation import (
    InvoiceName,
    InvoiceUse,
    UseConfirmation,
    UseConfirmationNotFound,
    buyer_confirmed_use,
    confirm_use,
    invoice_name,
)
from invoicing_core.persistence import company_repository, invoice_repository
from invoicing_core.persistence import use_confirmation_repository as confirmations
from invoicing_core.persistence.audit import AuditEntry, record
from invoicing_core.persistence.database import begin_write
from invoicing_core.services.accounts import Principal
from invoicing_core.services.clock import Clock, utc_now


@dataclass(frozen=True)
class ConfirmedUse:
    """An invoice issued to the caller's company, and its buyer's confirmation of use."""

    invoice: Invoice
    confirmation: UseConfirmation


def use_confirmed(connection: Connection, invoice: Invoice) -> bool:
    """Whether the invoice's buyer has confirmed using it (the red-letter path depends on it)."""
    return buyer_confirmed_use(invoice, confirmations.of_invoice(connection, invoice.identifier))


class UseConfirmationService:
    """用途确认 by the buyer's users."""

    def __init__(self, engine: Engine, clock: Clock = utc_now) -> None:
        self._engine = engine
        self._clock = clock

    def confirm(self, who: Principal, number: str, code: str | None, use: str) -> ConfirmedUse:
        """Confirm the use of an invoice issued to the caller's company; refused the second
        time, and for an invoice voided or red-flushed in full."""
        if not who.role.may_issue or who.company_id is None:
            raise Forbidden("您的账号没有确认发票用途的权限，请联系企业管理员。")
        company_id, name, chosen = who.company_id, invoice_name(number, code), InvoiceUse.parse(use)
        now = self._clock()
        try:
            with begin_write(self._engine) as connection:
                invoice = _issued_to(connection, company_id, name, lock=True)
                earlier = confirmations.of_invoice(connection, invoice.identifier)
                confirmation = confirm_use(
                    invoice, earlier, chosen, buyer_company_id=company_id, by=who.username, at=now
                )
                confirmations.add(connection, confirmation)
                _audit(connection, who, invoice, confirmation)
        except IntegrityError:
            # A concurrent confirmation was stored first: refused as a second one.
            with self._engine.connect() as connection:
                invoice = _issued_to(connection, company_id, name)
                earlier = confirmations.of_invoice(connection, invoice.identifier)
            if earlier is None:
                raise
            confirm_use(invoice, earlier, chosen, buyer_company_id=company_id, by="", at=now)
        return ConfirmedUse(invoice, confirmation)

    def get(self, who: Principal, number: str, code: str | None) -> ConfirmedUse:
        """The caller's company's confirmation of an invoice issued to it."""
        if who.company_id is None:
            raise Forbidden("该账号不属于任何企业，没有收到的发票。")
        name = invoice_name(number, code)
        with self._engine.connect() as connection:
            invoice = _issued_to(connection, who.company_id, name)
            found = confirmations.of_invoice(connection, invoice.identifier)
        if found is None:
            raise UseConfirmationNotFound(f"发票{invoice.identifier}尚未确认用途。", field="number")
        return ConfirmedUse(invoice, found)


def _issued_to(
    connection: Connection, company_id: int, name: InvoiceName, *, lock: bool = False
) -> Invoice:
    """The invoice so named that was issued to the company; not found for any other."""
    tax_id = company_repository.get(connection, company_id).tax_id
    if name.identifier is not None:
        identifiers = [name.identifier]
    else:
        identifiers = list(
            confirmations.paper_identifiers(connection, tax_id, name.paper_number or "")
        )
        if len(identifiers) > 1:
            raise InvalidInput(
                f"有{len(identifiers)}张号码为{name.paper_number}的纸质发票开给本企业，"
                "请同时填写发票代码。",
                field="code",
            )
    for identifier in identifiers:
        owner = invoice_repository.owner_of(connection, identifier)
        if owner is not None and owner[1] == tax_id:
            invoice = invoice_repository.get(connection, identifier, owner[0], lock=lock)
            if invoice is not None:
                return invoice
    shown = name.identifier or name.paper_number
    raise InvoiceNotFound(f"没有找到开给本企业的发票号码为 {shown} 的发票。", field="number")


def _audit(
    connection: Connection, who: Principal, invoice: Invoice, confirmation: UseConfirmation
) -> None:
    record(
        connection,
        AuditEntry(
            who.username,
            audit_actions.INVOICE_USE_CONFIRM,
            invoice.identifier,
            confirmation.confirmed_at,
            confirmation.buyer_company_id,
            None,
            {"use": confirmation.use.value, "seller": invoice.seller.tax_id},
        ),
    )
