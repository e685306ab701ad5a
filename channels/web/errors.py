"""Errors the app reports to clients: a stable code, a Chinese message, the field."""

from __future__ import annotations


class ClientError(Exception):
    """An error caused by what a client sent or by a dependency it must wait for."""

    status = 400

    def __init__(self, code: str, message: str, field: str | None = None, **extra: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.extra = extra

    def body(self) -> dict[str, object]:
        """The contract's error body: {"error": {"code", "message", "field"?, ...}}."""
        error: dict[str, object] = {"code": self.code, "message": self.message, **self.extra}
        if self.field is not None:
            error["field"] = self.field
        return {"error": error}


class NotFound(ClientError):
    """The thing a client named does not exist (or is not theirs to see)."""

    status = 404


class Forbidden(ClientError):
    """The caller is known but their role does not allow what they asked."""

    status = 403


class PayloadTooLarge(ClientError):
    """The request body exceeds what the app or the endpoint accepts."""

    status = 413


class ServiceUnavailable(ClientError):
    """A service the request depends on does not answer; the client may retry."""

    status = 503


class Unauthorized(ClientError):
    """The caller did not log in, or their token is not valid."""

    status = 401


class Conflict(ClientError):
    """What the client asked for does not fit the current state (someone was quicker)."""

    status = 409
