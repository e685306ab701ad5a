"""The composition root: builds the FastAPI app and its parts from settings."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import httpx
import structlog
from fastapi import FastAPI, Request, Response
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

import invoicing_core.api
from channels.api import chat, health
from channels.api.dependencies import Services
from channels.api.errors import install_error_handlers
from channels.chat_service import ChatService
from channels.conversation_store import ConversationStore
from channels.logs import configure_logging
from channels.rasa_client import RasaClient
from channels.settings import AppSettings
from invoicing_core import CoreSettings, InvoicingCore

WIDGET_DIR = Path(__file__).resolve().parent.parent / "web_widget"
log = structlog.get_logger(__name__)


def create_app(
    settings: AppSettings | None = None, core_settings: CoreSettings | None = None
) -> FastAPI:
    """Build the app; its connections open in the lifespan, not here."""
    settings = settings or AppSettings()
    core_settings = core_settings or CoreSettings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        core = InvoicingCore.open(core_settings)
        async with httpx.AsyncClient() as http:
            store = ConversationStore(core.engine)
            rasa = RasaClient(http, settings.effective_rasa_url, settings.rasa_timeout_seconds)
            app.state.invoicing_core = core
            app.state.services = Services(settings, http, store, ChatService(store, rasa))
            log.info(
                "app_started",
                database=core.engine.url.render_as_string(hide_password=True),
                rasa=settings.effective_rasa_url,
            )
            yield
        core.close()

    app = FastAPI(title="开票助手 API", version="0.1.0", lifespan=lifespan)
    install_error_handlers(app)
    invoicing_core.api.install_error_handler(app)
    app.middleware("http")(_log_request)
    app.include_router(health.router)
    app.include_router(chat.router, prefix="/api/v1")
    app.include_router(invoicing_core.api.router, prefix="/api/v1")
    app.mount("/static", StaticFiles(directory=WIDGET_DIR), name="static")
    app.add_api_route("/", _demo_page, include_in_schema=False)
    return app


async def _demo_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "demo.html")


async def _log_request(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    started = time.perf_counter()
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        response = await call_next(request)
        log.info(
            "request",
            method=request.method,
            path=request.url.path,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
        )
    response.headers["x-request-id"] = request_id
    return response
