"""Domain errors as HTTP responses: {"error": {"code", "message", "field"?}}."""

from typing import cast

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from invoicing_core.domain.errors import DomainError

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
}


def error_response(error: DomainError) -> JSONResponse:
    """The contract's error body with the status that fits the error."""
    body: dict[str, str] = {"code": error.code, "message": error.message}
    if error.field is not None:
        body["field"] = error.field
    headers = {"WWW-Authenticate": "Bearer"} if _STATUS.get(error.code) == 401 else None
    return JSONResponse({"error": body}, status_code=_STATUS.get(error.code, 422), headers=headers)


async def _handle(_request: Request, exc: Exception) -> JSONResponse:
    return error_response(cast(DomainError, exc))


def install_error_handler(app: FastAPI) -> None:
    """Answer every DomainError raised by a route with its contract error body."""
    app.add_exception_handler(DomainError, _handle)
