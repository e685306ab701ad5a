"""Domain errors: each has a stable code for clients and a Chinese message for users."""

from typing import ClassVar


class DomainError(Exception):
    """A broken business rule, reported as {"error": {"code", "message", "field"}}."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(DomainError):
    """A field is missing, empty, too long or inconsistent with the others."""

    code = "invalid_input"


class InvalidCharacter(InvalidInput):
    """A text holds a control, invisible (format), private-use or unassigned character."""

    code = "invalid_character"


class DateOutOfRange(InvalidInput):
    """A date lies outside the range of dates the system answers for."""

    code = "date_out_of_range"


class TaxIdRequired(InvalidInput):
    """The buyer's taxpayer id is missing where the rules require it."""

    code = "tax_id_required"


class InvalidNumber(DomainError):
    """A number cannot be read, is a float, or has more decimals than allowed."""

    code = "invalid_number"


class InvalidTaxId(DomainError):
    """A taxpayer id is malformed."""

    code = "invalid_tax_id"


class TaxIdUnconfirmed(DomainError):
    """A taxpayer id fails its check character and the user has not confirmed it."""

    code = "tax_id_unconfirmed"


class InvalidTaxRate(DomainError):
    """A tax rate is not one the rules allow."""

    code = "invalid_tax_rate"


class InvalidInvoiceNumber(DomainError):
    """An invoice number or paper invoice code is malformed."""

    code = "invalid_invoice_number"


class VoidNotAllowed(DomainError):
    """The invoice cannot be voided; the message says why, and to red-letter it instead."""

    code = "void_not_allowed"


class InvoiceNotVoidableInStatus(VoidNotAllowed):
    """The invoice cannot be voided as it stands, and a red-letter invoice is no remedy:
    it is voided or red-flushed (in full or in part), or is itself a red-letter invoice."""

    code = "invoice_not_voidable_in_status"


class RedLetterNotAllowed(DomainError):
    """The invoice cannot be corrected by a red-letter invoice."""

    code = "red_letter_not_allowed"


class RedExceedsBlue(DomainError):
    """A red-letter invoice would negate more than remains of the blue invoice."""

    code = "red_exceeds_blue"


class ConfirmationNotAllowed(DomainError):
    """A red-letter confirmation form cannot make the requested move."""

    code = "confirmation_not_allowed"


class QuotaExceeded(DomainError):
    """Issuing would pass the company's monthly invoicing quota."""

    code = "quota_exceeded"


class InvoiceLimitExceeded(DomainError):
    """An invoice reaches its kind's per-invoice maximum."""

    code = "invoice_limit_exceeded"


class InvoiceNotFound(DomainError):
    """No invoice with that number belongs to the caller's company."""

    code = "invoice_not_found"


class Forbidden(DomainError):
    """The caller's role does not allow the action."""

    code = "forbidden"


class IdempotencyConflict(DomainError):
    """An Idempotency-Key was reused for a different request."""

    code = "idempotency_conflict"


class ConfirmationPending(DomainError):
    """A confirmation form of the blue invoice is still awaiting an answer."""

    code = "confirmation_pending"


class RedLetterFormNotFound(DomainError):
    """No confirmation form with that id concerns the caller's company."""

    code = "red_letter_form_not_found"


class ReceivedInvoiceNotFound(DomainError):
    """No invoice with that id is in the caller's company's ledger of received invoices."""

    code = "received_invoice_not_found"


class DuplicateReceivedInvoice(DomainError):
    """The company has already recorded this invoice (kind, code and number)."""

    code = "duplicate_received_invoice"


class ReceiptStateNotAllowed(DomainError):
    """A received invoice cannot move from its state to the one asked for."""

    code = "receipt_state_not_allowed"


class RecognitionNotFound(DomainError):
    """No recognition with that id awaits recording for the caller's company (or it expired)."""

    code = "recognition_not_found"


class RecognitionBusy(DomainError):
    """Every recognition slot of this worker is taken; the caller should try again shortly."""

    code = "recognition_busy"
