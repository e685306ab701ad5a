"""Domain errors as HTTP responses: {"error": {"code", "message", "field"?}}."""

from typing import cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from invoicing_core.domain.errors import DomainError
from invoicing_core.recognition import RecognitionError

# The status of each refusal; anything not listed is a 422 (bad input).
_STATUS = {
    "invalid_credentials": 401,
    "invalid_reset_code": 400,
    "not_authenticated": 401,
    "forbidden": 403,
    "invoice_not_found": 404,
    "user_not_found": 404,
    "username_taken": 409,
    "last_admin": 409,
    "void_not_allowed": 409,
    "invoice_not_voidable_in_status": 409,
    "red_letter_not_allowed": 409,
    "red_exceeds_blue": 409,
    "quota_exceeded": 409,
    "invoice_limit_exceeded": 409,
    "out_of_paper_stock": 409,
    "idempotency_conflict": 409,
    "confirmation_pending": 409,
    "confirmation_not_allowed": 409,
    "red_letter_form_not_found": 404,
    "received_invoice_not_found": 404,
    "recognition_not_found": 404,
    "duplicate_received_invoice": 409,
    "receipt_state_not_allowed": 409,
    "recognition_busy": 503,
    "approval_not_found": 404,
    "approval_not_pending": 409,
    "approval_content_changed": 409,
    "self_approval_not_allowed": 403,
    "not_an_approver": 403,
    "not_the_requester": 403,
    "use_already_confirmed": 409,
    "use_confirmation_not_allowed": 409,
    "use_confirmation_not_found": 404,
    # Recognition's own refusals (invoicing_core.recognition RecognitionError).
    "file_too_large": 413,
}
# Seconds a client should wait before trying a busy recognition again.
RECOGNITION_RETRY_AFTER = "5"


def error_response(error: DomainError | RecognitionError) -> JSONResponse:
    """The contract's error body with the status that fits the error."""
    body: dict[str, str] = {"code": error.code, "message": error.message}
    if error.field is not None:
        body["field"] = error.field
    status = _STATUS.get(error.code, 422)
    headers = None
    if status == 401:
        headers = {"WWW-Authenticate": "Bearer"}
    elif status == 503:
        headers = {"Retry-After": RECOGNITION_RETRY_AFTER}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(cast(DomainError | RecognitionError, exc))


def install_error_handler(app: FastAPI) -> None:
    """Answer every DomainError (and a file recognition refuses) with its contract error body."""
    app.add_exception_handler(DomainError, _handle)
    app.add_exception_handler(RecognitionError, _handle)
