"""The composition root: builds the FastAPI app and its parts from settings."""

from __future__ import annotations

import asyncio
import secrets
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import cast

import httpx
import structlog
from anyio import to_thread
from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import channels.api.dependencies
import invoicing_core.api
import knowledge
from channels import backup, migrations, service_secrets
from channels.api import (
    agent,
    agent_socket,
    chat,
    chat_batch,
    chat_recognition,
    chat_socket,
    dingtalk,
    feishu,
    health,
    notices,
    notifications,
    wechat_binding,
)
from channels.api import wechat as wechat_webhooks
from channels.api.dependencies import Services, services_of
from channels.api.errors import install_error_handlers
from channels.chat.answer_feedback import Rating, RatingSink
from channels.chat.kept_turns import KeptTurns
from channels.chat.rasa_client import RasaClient
from channels.chat.service import ChatService
from channels.chat.turn_lock import turn_locks
from channels.conversations.store import ConversationStore
from channels.email_channel import channel as email
from channels.handoff.assembly import build_live
from channels.handoff.customer_panel import customer_through_the_api
from channels.im_bots import assembly as im_bots
from channels.live.delivery import Deliveries
from channels.live.hub import KNOWLEDGE
from channels.notices.board import NoticeBoard
from channels.notifications.assembly import NotificationServices, build_notifications
from channels.notifications.core_events import (
    AwaitingApproval,
    AwaitingForm,
    RiskAlert,
    core_event_sources,
)
from channels.notifications.ways import Contact
from channels.settings import AppSettings
from channels.web.body_limit import BodyLimit
from channels.web.core_call import acting_for_conversations
from channels.web.errors import Forbidden
from channels.web.identity import Identify, Identity
from channels.web.logs import configure_logging
from channels.web.rate_limit import Limits, RateLimit, Rule
from channels.web.security_headers import SecurityHeaders
from channels.wechat import assembly as wechat
from invoicing_core import (
    CoreSettings,
    InvoicingCore,
    NotLoggedIn,
    Principal,
    Role,
    statement_time,
    upgrade_schema,
)

WIDGET_DIR = Path(__file__).resolve().parent.parent / "web_widget"
log = structlog.get_logger(__name__)

# Knowledge bases opened in this process, by their (absolute) settings.
_knowledge_bases: dict[str, knowledge.KnowledgeBase] = {}
_opening_knowledge = threading.Lock()
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


@dataclass(frozen=True)
class AppServices(Services):
    """The app's one state (`app.state.services`): the channels' services, and the parts
    only the composition root knows. The core's own routes find the core at
    `app.state.invoicing_core`, as invoicing_core.api asks."""

    # Tells this worker's own announcements apart.
    worker: str
    knowledge_base: knowledge.KnowledgeBase
    unanswered_log: knowledge.UnansweredLog
    feedback_log: knowledge.FeedbackLog
    # The email channel (None while EMAIL_IMAP_HOST is empty).
    email_channel: email.EmailChannel | None = None


@dataclass(frozen=True)
class Configuration:
    """The settings of the app, the core and the knowledge base, and the action
    server's token."""

    app: AppSettings
    core: CoreSettings
    knowledge: knowledge.KnowledgeSettings
    actions_token: str


def create_app(
    settings: AppSettings | None = None,
    core_settings: CoreSettings | None = None,
    knowledge_settings: knowledge.KnowledgeSettings | None = None,
) -> FastAPI:
    """Build the app; its connections open in the lifespan, not here."""
    config = _configuration(settings, core_settings, knowledge_settings)
    configure_logging(config.app.log_level, config.app.log_json)
    limits = Limits(_rate_limits(config.app), config.app.redis_url)
    app = FastAPI(title="开票助手 API", version="0.1.0", lifespan=_lifespan(config, limits))
    install_error_handlers(app)
    invoicing_core.api.install_error_handler(app)
    _authenticate_through_the_core(app, config.actions_token)
    _add_middleware(app, config, limits)
    _add_routes(app, config)
    return app


def _configuration(
    settings: AppSettings | None,
    core_settings: CoreSettings | None,
    knowledge_settings: knowledge.KnowledgeSettings | None,
) -> Configuration:
    """The given settings, else those of the environment."""
    settings = settings or AppSettings()
    core_settings = core_settings or CoreSettings()
    # Without a configured token the console's customer panel still reads invoices
    # through the same acting-for-a-conversation path, with a secret of this process.
    actions_token = service_secrets.read(
        core_settings.var_dir, "actions-token", settings.actions_token
    ) or secrets.token_urlsafe(32)
    return Configuration(
        settings, core_settings, knowledge_settings or knowledge.KnowledgeSettings(), actions_token
    )


def _lifespan(config: Configuration, limits: Limits) -> Lifespan:
    """Open the core, the knowledge base and the services; run the background tasks."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        core = InvoicingCore.open(config.core)
        app.state.invoicing_core = core
        # Loads the model (and builds a stale index): seconds of CPU, off the event loop.
        base = await to_thread.run_sync(open_knowledge_base, config.knowledge, core.engine)
        async with httpx.AsyncClient() as http:
            state = _open_services(app, config, core, base, http, limits)
            app.state.services = state
            _log_started(config.app, core, base)
            recovery = asyncio.create_task(wechat.recover_forever(state.wechat_channels))
            im_recovery = asyncio.create_task(im_bots.recover_forever(state.im_channels))
            mail_polling = asyncio.create_task(email.poll_forever(state.email_channel))
            reloads = asyncio.create_task(_reload_when_published(state))
            kept = KeptTurns(state.notices, state.chat, state.deliveries, state.worker)
            kept_turns = asyncio.create_task(
                kept.run_forever(config.app.notice_check_every_seconds)
            )
            notes = _notifications(config.app, core, state)
            app.state.notifications = notes
            sending = asyncio.create_task(
                notes.sender.run_forever(config.app.notify_send_every_seconds)
            )
            watching = asyncio.create_task(
                notes.watcher.run_forever(config.app.notify_watch_every_seconds)
            )
            backups = asyncio.create_task(_back_up_on_schedule(config))
            try:
                yield
            finally:
                backups.cancel()
                sending.cancel()
                watching.cancel()
                recovery.cancel()
                im_recovery.cancel()
                mail_polling.cancel()
                reloads.cancel()
                kept_turns.cancel()
                await state.live.hub.close()
                await state.chat.close()
            await wechat.drain(state.wechat_channels)
            await im_bots.drain(state.im_channels)
        core.close()

    return lifespan


async def _back_up_on_schedule(config: Configuration) -> None:
    """Scheduled backups when BACKUP_EVERY_HOURS is set, taken by one worker of all."""
    settings = config.app
    if not settings.backup_every_hours:
        return
    sources = backup.Sources(
        database_url=config.core.effective_database_url,
        tracker_url=backup.tracker_url(config.core.var_dir),
        var_dir=config.core.var_dir,
        knowledge_index_dir=config.knowledge.knowledge_index_dir,
    )
    folder = Path(settings.backup_dir) if settings.backup_dir else config.core.var_dir / "backups"
    every = timedelta(hours=settings.backup_every_hours)
    retention = backup.Retention(settings.backup_keep, settings.backup_keep_days)
    await backup.BackupSchedule(sources, folder, every, retention).run_forever()


def _open_services(
    app: FastAPI,
    config: Configuration,
    core: InvoicingCore,
    base: knowledge.KnowledgeBase,
    http: httpx.AsyncClient,
    limits: Limits,
) -> AppServices:
    """Wire the channels' parts on the opened core and knowledge base."""
    settings = config.app
    store = ConversationStore(core.engine)
    deliveries = Deliveries()
    live = build_live(settings, core.engine, store, deliveries)
    live.identify = _identify_through_the_core(core)
    acting = acting_for_conversations(app, config.actions_token)
    live.customer = partial(customer_through_the_api, acting)
    feedback_log = knowledge.FeedbackLog(core.engine)
    ratings = _ratings_into_the_knowledge_base(core, feedback_log)
    # A turn waits for the conversation's previous one at most twice Rasa's timeout.
    turns = turn_locks(settings.redis_url, 2 * settings.rasa_timeout_seconds)
    board = NoticeBoard(core.engine)
    chat_service = ChatService(
        store, _rasa_client(http, config), live.handoff, ratings, turns, board
    )
    binding = wechat.build_binding(core.engine, core.accounts.user_exists)
    wechat_channels = wechat.build_wechat_channels(
        settings,
        core.engine,
        http,
        store,
        chat_service,
        deliveries,
        binding,
        acting,
        config.core.max_upload_bytes,
        board,
    )
    return AppServices(
        settings=settings,
        http=http,
        store=store,
        chat=chat_service,
        deliveries=deliveries,
        live=live,
        limits=limits,
        wechat_binding=binding,
        wechat_channels=wechat_channels,
        im_channels=im_bots.build_im_channels(
            settings, core.engine, http, store, chat_service, deliveries, binding
        ),
        max_upload_bytes=config.core.max_upload_bytes,
        notices=board,
        worker=uuid.uuid4().hex,
        knowledge_base=base,
        unanswered_log=knowledge.UnansweredLog(core.engine, config.knowledge.knowledge_log_below),
        feedback_log=feedback_log,
        email_channel=email.build_email_channel(
            settings,
            core.engine,
            store,
            chat_service,
            deliveries,
            binding,
            acting,
            config.core.max_upload_bytes,
        ),
    )


def _rasa_client(http: httpx.AsyncClient, config: Configuration) -> RasaClient:
    settings = config.app
    return RasaClient(
        http,
        settings.effective_rasa_url,
        settings.rasa_timeout_seconds,
        settings.effective_action_server_url,
        settings.health_timeout_seconds,
        service_secrets.read(config.core.var_dir, "rasa-token", settings.rasa_token),
    )


def _log_started(settings: AppSettings, core: InvoicingCore, base: knowledge.KnowledgeBase) -> None:
    log.info(
        "app_started",
        database=core.engine.url.render_as_string(hide_password=True),
        rasa=settings.effective_rasa_url,
        knowledge_index=str(base.settings.knowledge_index_dir),
        knowledge_entries=base.manifest.entries,
    )


def _add_middleware(app: FastAPI, config: Configuration, limits: Limits) -> None:
    """Each added one wraps those before it: the last added sees a request first."""
    settings = config.app
    app.add_middleware(RateLimit, limits=limits, service_token=config.actions_token)
    app.add_middleware(
        BodyLimit,
        max_body_bytes=settings.max_body_bytes,
        max_upload_bytes=config.core.max_upload_bytes,
    )
    docs = (app.docs_url, app.swagger_ui_oauth2_redirect_url, app.redoc_url)
    app.add_middleware(SecurityHeaders, docs_paths=[path for path in docs if path])
    app.add_middleware(RequestLog)
    if settings.forwarded_allow_ips:
        # Outermost, so that every part sees the client a trusted proxy forwarded for.
        # The Procfile turns uvicorn's own off: it trusts 127.0.0.1 when not told.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.forwarded_allow_ips)


def _add_routes(app: FastAPI, config: Configuration) -> None:
    app.include_router(health.router)
    app.include_router(chat.router, prefix="/api/v1")
    app.include_router(chat_batch.router, prefix="/api/v1")
    app.include_router(chat_recognition.router, prefix="/api/v1")
    app.include_router(invoicing_core.api.router, prefix="/api/v1")
    app.include_router(
        _knowledge_router(config.actions_token, config.core.max_upload_bytes), prefix="/api/v1"
    )
    app.include_router(wechat_webhooks.router)
    app.include_router(wechat_binding.router, prefix="/api/v1")
    app.include_router(dingtalk.router)
    app.include_router(feishu.router)
    app.include_router(agent.router, prefix="/api/v1")
    app.include_router(notifications.router, prefix="/api/v1")
    app.include_router(notices.router, prefix="/api/v1")
    app.include_router(chat_socket.router)
    app.include_router(agent_socket.router)
    app.mount("/static", StaticFiles(directory=WIDGET_DIR), name="static")
    app.add_api_route("/", _demo_page, include_in_schema=False)
    app.add_api_route("/console", _console_page, include_in_schema=False)
    app.add_api_route("/console/knowledge", _knowledge_page, include_in_schema=False)
    app.add_api_route("/notifications", _notifications_page, include_in_schema=False)
    app.add_api_route("/approvals", _approvals_page, include_in_schema=False)


def state_of(connection: HTTPConnection) -> AppServices:
    """The app's state, as the lifespan built it: the services with the knowledge parts."""
    return cast(AppServices, services_of(connection))


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
            store = state_of(request).store
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
            _knowledge_base,
            _unanswered_log,
            require_editor=_require_editor,
            report_scope=_unanswered_scope,
            asker=asker,
            on_reload=_announce_published,
        )
    )
    router.include_router(
        knowledge.create_editor_router(
            _knowledge_base,
            _unanswered_log,
            _feedback_log,
            require_editor=_require_editor,
            report_scope=_unanswered_scope,
            require_drafter=_require_drafter,
            max_upload_bytes=max_upload_bytes,
        )
    )
    return router


def _knowledge_base(request: Request) -> knowledge.KnowledgeBase:
    return state_of(request).knowledge_base


def _unanswered_log(request: Request) -> knowledge.UnansweredLog:
    return state_of(request).unanswered_log


def _feedback_log(request: Request) -> knowledge.FeedbackLog:
    return state_of(request).feedback_log


async def _announce_published(request: Request, outcome: knowledge.BuildOutcome) -> None:
    state = state_of(request)
    event = {"from": state.worker, "content_hash": outcome.manifest.content_hash}
    await state.live.hub.publish(KNOWLEDGE, event)


async def _reload_when_published(state: AppServices) -> None:
    """Another worker published the knowledge base: load the index it built."""
    base = state.knowledge_base
    async with state.live.hub.subscribe(KNOWLEDGE) as events:
        async for event in events:
            # A RESYNC (Redis was down) carries no hash: a publish may have been missed.
            mine = event.get("from") == state.worker
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
    if not (who.role is Role.EDITOR or who.role.is_agent):
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
        Rule.of(
            "wechat",
            ("/channels/wechat", "/channels/wecom", "/channels/dingtalk", "/channels/feishu"),
            settings.rate_limit_wechat,
        ),
    ]


def _notifications(
    settings: AppSettings, core: InvoicingCore, state: AppServices
) -> NotificationServices:
    """Notifications of the core's events (read through its services) and of tickets."""
    return build_notifications(
        settings,
        core.engine,
        state.http,
        state.live.hub,
        state.wechat_channels,
        lambda username: _contact(core, username),
        core_event_sources(_CoreFacts(core)),
    )


def _contact(core: InvoicingCore, username: str) -> Contact:
    found = core.accounts.contact_of(username)
    return Contact(found.email, found.phone) if found is not None else Contact()


class _CoreFacts:
    """The core's facts the notification sources read (channels/notifications/core_events.py)."""

    def __init__(self, core: InvoicingCore) -> None:
        self._core = core

    def clerks_by_company(self, roles: Sequence[str]) -> dict[int, list[str]]:
        found: dict[int, list[str]] = {}
        for user in self._core.accounts.company_contacts({Role(role) for role in roles}):
            if user.company_id is not None:
                found.setdefault(user.company_id, []).append(user.username)
        return found

    def risk_alerts(self, admin: str) -> list[RiskAlert]:
        report = self._core.alerts.alerts(self._core.accounts.principal_of(admin))
        return [
            RiskAlert(a.rule.value, a.window_start, a.severity.value == "high", a.message)
            for a in report.alerts
        ]

    def approvals_awaiting(self) -> dict[str, list[AwaitingApproval]]:
        return {
            approver: [
                AwaitingApproval(
                    v.request.id,
                    v.request.level,
                    v.request.action.label,
                    v.request.requested_by,
                    v.request.deadline,
                    v.now,
                )
                for v in views
            ]
            for approver, views in self._core.approvals.awaiting_by_approver().items()
        }

    def forms_awaiting(self, clerk: str) -> list[AwaitingForm]:
        who = self._core.accounts.principal_of(clerk)
        page = self._core.red_letters.search(who, None, 1, 100)
        return [
            AwaitingForm(v.stored.id, v.stored.form.blue_number, v.stored.form.deadline, v.now)
            for v in page.items
            if v.awaiting_you
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
            store = state_of(request).store
            conversation_id = request.headers.get("x-conversation-id", "")[:64]
            username = await to_thread.run_sync(store.username_of, conversation_id)
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
    """Bearer tokens of the core's users; the core's agent roles make an agent."""

    async def identify(token: str) -> Identity | None:
        try:
            who = await to_thread.run_sync(core.accounts.authenticate, token)
        except NotLoggedIn:
            return None
        role = who.role
        return Identity(who.username, who.display_name, role.is_agent, role is Role.SUPERVISOR)

    return identify


async def _demo_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "demo.html")


async def _console_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "console.html")


async def _knowledge_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "knowledge.html")


async def _notifications_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "notifications.html")


async def _approvals_page() -> FileResponse:
    return FileResponse(WIDGET_DIR / "approvals.html")


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
