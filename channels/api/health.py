"""GET /healthz: whether the app, its database, Rasa and the action server answer."""

from __future__ import annotations

import asyncio

import httpx
from anyio import to_thread
from fastapi import APIRouter
from fastapi.responses import JSONResponse

from channels.api.dependencies import ServicesDep

router = APIRouter(tags=["health"])


async def _answers(http: httpx.AsyncClient, url: str, seconds: float) -> bool:
    try:
        response = await http.get(url, timeout=seconds)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


@router.get("/healthz")
async def healthz(services: ServicesDep) -> JSONResponse:
    """200 when every part answers, else 503; the body says which part is down."""
    settings = services.settings
    timeout = settings.health_timeout_seconds
    database, rasa, actions = await asyncio.gather(
        to_thread.run_sync(services.store.ping),
        _answers(services.http, f"{settings.effective_rasa_url}/", timeout),
        _answers(services.http, f"{settings.effective_action_server_url}/health", timeout),
    )
    parts = {"app": True, "database": database, "rasa": rasa, "action_server": actions}
    healthy = all(parts.values())
    body = {
        "status": "ok" if healthy else "degraded",
        **{name: "up" if up else "down" for name, up in parts.items()},
    }
    return JSONResponse(body, status_code=200 if healthy else 503)
