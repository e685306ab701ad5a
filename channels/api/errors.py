"""Every error leaves the app as {"error": {"code", "message", "field"?}} in Chinese."""

from __future__ import annotations

import sqlite3
from typing import Any, cast

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException

from channels.web.errors import ClientError

log = structlog.get_logger(__name__)

# Pydantic error types → what to tell a person.
_VALIDATION_MESSAGES = {
    "missing": "缺少必填字段",
    "string_too_short": "不能为空",
    "string_too_long": "内容过长，最多 {max_length} 个字符",
    "string_type": "应为文本",
    "uuid_parsing": "格式不正确，应为会话编号（UUID）",
    "uuid_type": "格式不正确，应为会话编号（UUID）",
    "json_invalid": "请求体不是有效的 JSON",
    "model_attributes_type": "请求体应为 JSON 对象",
    "dict_type": "应为 JSON 对象",
    "list_type": "应为列表",
    "int_parsing": "应为整数",
    "int_type": "应为整数",
    "decimal_parsing": "应为数字",
    "bool_parsing": "应为 true 或 false",
    "literal_error": "取值不在允许范围内",
    "enum": "取值不在允许范围内",
    "extra_forbidden": "不支持该字段",
}

_HTTP_MESSAGES = {
    404: ("not_found", "请求的地址不存在"),
    405: ("method_not_allowed", "不支持该请求方法"),
    413: ("payload_too_large", "请求内容过大"),
    415: ("unsupported_media_type", "不支持的内容类型"),
}


def _field(location: tuple[Any, ...]) -> str | None:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or None


async def _client_error(_request: Request, exc: Exception) -> JSONResponse:
    error = cast(ClientError, exc)
    retry_after = getattr(error, "retry_after", None)  # RateLimited
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return JSONResponse(error.body(), status_code=error.status, headers=headers)


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    errors = cast(RequestValidationError, exc).errors()
    first: dict[str, Any] = errors[0] if errors else {"type": "", "loc": ()}
    kind = str(first["type"])
    template = _VALIDATION_MESSAGES.get(kind, "格式不正确")
    message = template.format(**first.get("ctx", {})) if "{" in template else template
    field = None if kind == "json_invalid" else _field(tuple(first["loc"]))
    error = ClientError("invalid_input", message, field)
    return JSONResponse(error.body(), status_code=422)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    http_error = cast(HTTPException, exc)
    code, message = _HTTP_MESSAGES.get(http_error.status_code, ("request_failed", "请求无法处理"))
    return JSONResponse(
        ClientError(code, message).body(),
        status_code=http_error.status_code,
        headers=http_error.headers,
    )


# How long a client waits before sending again what a busy database refused.
DATABASE_RETRY_SECONDS = 2


def is_transient(error: OperationalError) -> bool:
    """Whether the database was locked or unreachable (a retry may succeed)."""
    # SQLite reports schema mistakes as OperationalError too: those are bugs, not busy.
    if not isinstance(error.orig, sqlite3.OperationalError):
        return True
    text = str(error.orig).lower()
    return any(sign in text for sign in ("locked", "busy", "unable to open", "disk i/o"))


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    # A locked or unreachable database: the transaction was rolled back, so the
    # client can safely retry the same request.
    if not is_transient(cast(OperationalError, exc)):
        return await _unexpected_error(request, exc)
    log.warning("database_unavailable", path=request.url.path, error=str(exc)[:300])
    body = ClientError("database_unavailable", "系统繁忙，请稍后重试。本次操作未生效。").body()
    return JSONResponse(body, status_code=503, headers={"Retry-After": str(DATABASE_RETRY_SECONDS)})


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled_error", path=request.url.path, error=repr(exc))
    body = ClientError("internal_error", "服务器内部错误，请稍后再试").body()
    return JSONResponse(body, status_code=500)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that give every error the contract's shape."""
    app.add_exception_handler(ClientError, _client_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(OperationalError, _database_error)
    app.add_exception_handler(Exception, _unexpected_error)
