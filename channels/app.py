"""The composition root: builds the FastAPI app and its parts from settings."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import structlog
from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import channels.api.dependencies
import invoicing_core.api
import knowledge
from channels import migrations, service_secrets
from channels.answer_feedback import Rating, RatingSink
from channels.api import agent, agent_socket, chat, chat_batch, chat_socket, health
from channels.api.dependencies import Services
from channels.api.errors import install_error_handlers
from channels.body_limit import BodyLimit
from channels.chat_service import ChatService
from channels.conversation_store import ConversationStore
from channels.customer_panel import customer_through_the_api
from channels.delivery import Deliveries
from channels.errors import Forbidden
from channels.hub import KNOWLEDGE, Hub
from channels.identity import CustomerLookup, Identify, Identity
from channels.live_services import build_live
from channels.logs import configure_logging
from channels.rasa_client import RasaClient
from channels.rate_limit import Limits, RateLimit, Rule
from channels.security_headers import SecurityHeaders
from channels.settings import AppSettings
from channels.wechat import assembly as wechat
from channels.wechat import binding_api as wechat_binding_api
from channels.wechat import router as wechat_router
from invoicing_core import CoreSettings, InvoicingCore, NotLoggedIn, Principal, Role
from invoicing_core.persistence import statement_time, upgrade_schema

WIDGET_DIR = Path(__file__).resolve().parent.parent / "web_widget"
log = structlog.get_logger(__name__)

# Knowledge bases opened in this process, by their (absolute) settings.
_knowledge_bases: dict[str, knowledge.KnowledgeBase] = {}
_opening_knowledge = threading.Lock()


def create_app(
    settings: AppSettings | None = None,
    core_settings: CoreSettings | None = None,
    knowledge_settings: knowledge.KnowledgeSettings | None = None,
) -> FastAPI:
    """Build the app; its connections open in the lifespan, not here."""
    settings = settings or AppSettings()
    core_settings = core_settings or CoreSettings()
    knowledge_settings = knowledge_settings or knowledge.KnowledgeSettings()
    configure_logging(settings.log_level, settings.log_json)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        core = InvoicingCore.open(core_settings)
        # Loads the model (and builds a stale index): seconds of CPU, off the event loop.
        base = await to_thread.run_sync(open_knowledge_base, knowledge_settings, core.engine)
        async with httpx.AsyncClient() as http:
            store = ConversationStore(core.engine)
            rasa = RasaClient(
                http,
                settings.effective_rasa_url,
                settings.rasa_timeout_seconds,
                settings.effective_action_server_url,
                settings.health_timeout_seconds,
                service_secrets.read(core_settings.var_dir, "rasa-token", settings.rasa_token),
            )
            app.state.invoicing_core = core
            deliveries = Deliveries()
            live = build_live(settings, core.engine, store, deliveries)
            live.identify = _identify_through_the_core(core)
            live.customer = _customer_through_the_core(app, core, actions_token)
            app.state.live = live
            app.state.feedback_log = knowledge.FeedbackLog(core.engine)
            ratings = _ratings_into_the_knowledge_base(core, app.state.feedback_log)
            chat_service = ChatService(store, rasa, live.handoff, ratings)
            app.state.services = Services(settings, http, store, chat_service, deliveries)
            app.state.knowledge_base = base
            app.state.unanswered_log = knowledge.UnansweredLog(
                core.engine, knowledge_settings.knowledge_log_below
            )
            app.state.wechat_binding = wechat.build_binding(core.engine, core.accounts.user_exists)
            app.state.wechat_channels = wechat.build_wechat_channels(
                settings,
                core.engine,
                http,
                store,
                app.state.services.chat,
                app.state.services.deliveries,
                app.state.wechat_binding,
            )
            log.info(
                "app_started",
                database=core.engine.url.render_as_string(hide_password=True),
                rasa=settings.effective_rasa_url,
                knowledge_index=str(base.settings.knowledge_index_dir),
                knowledge_entries=base.manifest.entries,
            )
            recovery = asyncio.create_task(wechat.recover_forever(app.state.wechat_channels))
            reloads = asyncio.create_task(_reload_when_published(live.hub, base, app))
            try:
                yield
            finally:
                recovery.cancel()
                reloads.cancel()
                await live.hub.close()
            await wechat.drain(app.state.wechat_channels)
        core.close()

    app = FastAPI(title="开票助手 API", version="0.1.0", lifespan=lifespan)
    app.state.worker = uuid.uuid4().hex  # tells this worker's own announcements apart
    install_error_handlers(app)
    invoicing_core.api.install_error_handler(app)
    # Without a configured token the console's customer panel still reads invoices
    # through the same acting-for-a-conversation path, with a secret of this process.
    actions_token = service_secrets.read(
        core_settings.var_dir, "actions-token", settings.actions_token
    ) or secrets.token_urlsafe(32)
    _authenticate_through_the_core(app, actions_token)
    app.state.limits = Limits(_rate_limits(settings), settings.redis_url)
    app.add_middleware(RateLimit, limits=app.state.limits, service_token=actions_token)
    app.add_middleware(
        BodyLimit,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=core_settings.max_upload_bytes,
    )
    docs = (app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
    app.add_middleware(SecurityHeaders, docs_paths=[path for path in docs if path])
    app.add_middleware(RequestLog)
    if settings.forwarded_allow_ips:
        # Outermost, so that every part sees the client a trusted proxy forwarded for.
        # The Procfile turns uvicorn's own off: it trusts 127.0.0.1 when not told.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)
    app.include_router(health.router)
    app.include_router(chat.router, prefix="/api/v1")
    app.include_router(chat_batch.router, prefix="/api/v1")
    app.include_router(invoicing_core.api.router, prefix="/api/v1")
    app.include_router(
        _knowledge_router(actions_token, core_settings.max_upload_bytes), prefix="/api/v1"
    )
    app.include_router(wechat_router.router)
    app.include_router(wechat_binding_api.router, prefix="/api/v1")
    app.include_router(agent.router, prefix="/api/v1")
    app.include_router(chat_socket.router)
    app.include_router(agent_socket.router)
    app.mount("/static", StaticFiles(directory=WIDGET_DIR), name="static")
    app.add_api_route("/", _demo_page, include_in_schema=False)
    app.add_api_route("/console", _console_page, include_in_schema=False)
    app.add_api_route("/console/knowledge", _knowledge_page, include_in_schema=False)
    return app


def open_knowledge_base(
    settings: knowledge.KnowledgeSettings, engine: Engine
) -> knowledge.KnowledgeBase:
    """The process's knowledge base for these settings and the console's entries in this
    database, opened (model loaded) only once.

    A served app opens it once anyway; tests build many apps in one process.
    Relative folders are taken from the working directory at start-up, so a
    later reload reads the same ones.
    """
    settings = settings.model_copy(
        update={
            "knowledge_source": settings.knowledge_source.resolve(),
            "knowledge_index_dir": settings.knowledge_index_dir.resolve(),
        }
    )
    key = settings.model_dump_json() + engine.url.render_as_string()
    with _opening_knowledge:
        if key not in _knowledge_bases:
            store = knowledge.EntryStore(engine)
            _knowledge_bases[key] = knowledge.KnowledgeBase.open(settings, store)
        return _knowledge_bases[key]


def _knowledge_router(actions_token: str, max_upload_bytes: int) -> APIRouter:
    """Search for everyone; reload for the platform's editors; unanswered questions for
    the editors (every company's) and each company's admin (its own)."""

    async def asker(
        request: Request,
        core: invoicing_core.api.CoreDep,
        credentials: invoicing_core.api.Credentials,
    ) -> knowledge.Asker:
        # The action server asks for a conversation: its user's company and a link to it.
        presented = credentials.credentials if credentials else ""
        if secrets.compare_digest(presented, actions_token):
            conversation_id = request.headers.get("x-conversation-id", "")[:64] or None
            store: ConversationStore = request.app.state.services.store
            username = await to_thread.run_sync(store.username_of, conversation_id or "")
            company = await to_thread.run_sync(core.accounts.company_of, username or "")
            return knowledge.Asker(company, conversation_id)
        try:
            who = await invoicing_core.api.optional_principal(core, credentials)
        except NotLoggedIn:  # a stale token does not stop a question being answered
            who = None
        return knowledge.Asker(who.company_id if who else None)

    router = APIRouter()
    router.include_router(
        knowledge.create_router(
            knowledge.from_app_state("knowledge_base"),
            knowledge.from_app_state("unanswered_log"),
            require_editor=_require_editor,
            report_scope=_unanswered_scope,
            asker=asker,
            on_reload=_announce_published,
        )
    )
    router.include_router(
        knowledge.create_editor_router(
            knowledge.from_app_state("knowledge_base"),
            knowledge.from_app_state("unanswered_log"),
            knowledge.from_app_state("feedback_log"),
            require_editor=_require_editor,
            report_scope=_unanswered_scope,
            require_drafter=_require_drafter,
            max_upload_bytes=max_upload_bytes,
        )
    )
    return router


async def _announce_published(request: Request, outcome: knowledge.BuildOutcome) -> None:
    event = {"from": request.app.state.worker, "content_hash": outcome.manifest.content_hash}
    await request.app.state.live.hub.publish(KNOWLEDGE, event)


async def _reload_when_published(hub: Hub, base: knowledge.KnowledgeBase, app: FastAPI) -> None:
    """Another worker published the knowledge base: load the index it built."""
    async with hub.subscribe(KNOWLEDGE) as events:
        async for event in events:
            mine = event.get("from") == app.state.worker
            if not mine and event.get("content_hash") != base.manifest.content_hash:
                try:
                    await to_thread.run_sync(base.reload)
                except Exception as failure:  # keep serving the old index, and keep listening
                    log.warning("knowledge_reload_failed", error=repr(failure))


async def _require_editor(who: invoicing_core.api.CurrentPrincipal) -> str:
    if who.role is not Role.EDITOR:
        raise Forbidden("forbidden", "只有知识库编辑可以维护知识库。")
    return who.username


async def _require_drafter(who: invoicing_core.api.CurrentPrincipal) -> str:
    if who.role not in (Role.EDITOR, Role.AGENT):
        raise Forbidden("forbidden", "只有客服坐席和知识库编辑可以把回复存为知识草稿。")
    return who.username


async def _unanswered_scope(who: invoicing_core.api.CurrentPrincipal) -> int | None:
    if who.role is Role.EDITOR:
        return None
    if who.role is Role.ADMIN and who.company_id is not None:
        return who.company_id
    raise Forbidden("forbidden", "只有企业管理员和知识库编辑可以查看未解答的问题。")


def _rate_limits(settings: AppSettings) -> list[Rule]:
    return [
        Rule.of("login", ("/api/v1/auth/",), settings.rate_limit_login),
        Rule.of("chat", ("/api/v1/chat",), settings.rate_limit_chat),
        Rule.of("search", ("/api/v1/knowledge/search",), settings.rate_limit_search),
        Rule.of("ticket", (), settings.rate_limit_ticket),
        Rule.of("guest", (), settings.rate_limit_guest),
        Rule.of("wechat", ("/channels/wechat", "/channels/wecom"), settings.rate_limit_wechat),
    ]


def migrate_database(engine: Engine) -> None:
    """Bring every package's tables to the newest schema (each keeps its own history)."""
    upgrade_schema(engine)
    migrations.upgrade(engine)
    knowledge.upgrade_database(engine)


def _authenticate_through_the_core(app: FastAPI, actions_token: str | None) -> None:
    """Callers are the core's users; the action server acts for a conversation's user."""

    async def principal(
        request: Request,
        core: invoicing_core.api.CoreDep,
        credentials: invoicing_core.api.Credentials,
    ) -> Principal | None:
        presented = credentials.credentials if credentials else ""
        if actions_token and secrets.compare_digest(presented, actions_token):
            services: Services = request.app.state.services
            conversation_id = request.headers.get("x-conversation-id", "")[:64]
            username = await to_thread.run_sync(services.store.username_of, conversation_id)
            if username is None:
                raise NotLoggedIn("请先登录后再办理发票业务。")
            return await to_thread.run_sync(core.accounts.principal_of, username)
        return await invoicing_core.api.optional_principal(core, credentials)

    async def caller(who: invoicing_core.api.OptionalPrincipal) -> str | None:
        return who.username if who else None

    app.dependency_overrides[invoicing_core.api.optional_principal] = principal
    app.dependency_overrides[channels.api.dependencies.caller] = caller


def _ratings_into_the_knowledge_base(core: InvoicingCore, log: knowledge.FeedbackLog) -> RatingSink:
    """Ratings of knowledge answers, kept with the rater's company (None for a guest)."""

    def keep(rating: Rating) -> None:
        company = core.accounts.company_of(rating.username) if rating.username else None
        log.record(
            knowledge.Feedback(
                rating.conversation_id,
                rating.message_id,
                rating.entry_id,
                rating.question,
                rating.helpful,
                rating.channel,
                company,
            )
        )

    return keep


def _identify_through_the_core(core: InvoicingCore) -> Identify:
    """Bearer tokens of the core's users; the core's agent role makes an agent."""

    async def identify(token: str) -> Identity | None:
        try:
            who = await to_thread.run_sync(core.accounts.authenticate, token)
        except NotLoggedIn:
            return None
        return Identity(who.username, who.display_name, who.role is Role.AGENT)

    return identify


def _customer_through_the_core(app: FastAPI, core: InvoicingCore, token: str) -> CustomerLookup:
    """The console's customer panel, read as the conversation's user (see customer_panel)."""

    async def customer(conversation_id: str, username: str) -> dict[str, Any]:
        try:
            who = await to_thread.run_sync(core.accounts.principal_of, username)
        except Exception:  # a deleted user still has a transcript
            who = None
        name = who.display_name if who else None
        return await customer_through_the_api(app, token, conversation_id, username, name)

    return customer


async def _demo_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "demo.html")


async def _console_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "console.html")


async def _knowledge_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "knowledge.html")


class RequestLog:
    """Logs each HTTP request with its status and duration, under a request id.

    A plain ASGI middleware: cheaper than BaseHTTPMiddleware and transparent to streaming.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        request_id = headers.get(b"x-request-id", b"").decode("latin-1")[:64] or uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode("latin-1")),
                ]
            await send(message)

        with (
            structlog.contextvars.bound_contextvars(request_id=request_id),
            statement_time() as database_seconds,
        ):
            try:
                await self._app(scope, receive, send_with_id)
            finally:
                log.info(
                    "request",
                    method=scope["method"],
                    path=scope["path"],
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 1),
                    database_ms=round(database_seconds() * 1000, 1),
                )
