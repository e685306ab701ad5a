"""The logged-in user's notification settings and in-app notifications."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Path, Query, Request
from pydantic import BaseModel

from channels.api.dependencies import Caller
from channels.notifications.assembly import NotificationServices
from channels.notifications.preferences import KINDS, WAYS, parse_preferences
from channels.web.errors import NotFound, Unauthorized

router = APIRouter(tags=["notifications"])


class SettingsOut(BaseModel):
    ways: dict[str, list[str]]
    quiet_from: str | None
    quiet_to: str | None
    kinds: list[str]
    all_ways: list[str]


class NotificationOut(BaseModel):
    id: int
    kind: str
    title: str
    body: str
    urgent: bool
    created_at: datetime
    read: bool


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    total: int
    page: int
    size: int


def _services(request: Request) -> NotificationServices:
    services: NotificationServices = request.app.state.notifications
    return services


def _logged_in(username: str | None) -> str:
    if username is None:
        raise Unauthorized("not_logged_in", "请先登录后再查看通知。")
    return username


@router.get("/notification-settings", response_model=SettingsOut)
async def get_settings(request: Request, caller: Caller) -> SettingsOut:
    """当前用户的通知设置：每类通知的接收方式和免打扰时段。"""
    username = _logged_in(caller)
    chosen = await to_thread.run_sync(_services(request).preferences.of, username)
    return SettingsOut(
        ways=chosen.ways,
        quiet_from=chosen.quiet_from,
        quiet_to=chosen.quiet_to,
        kinds=list(KINDS),
        all_ways=list(WAYS),
    )


@router.put("/notification-settings", response_model=SettingsOut)
async def put_settings(
    request: Request, caller: Caller, body: Annotated[Any, Body()] = None
) -> SettingsOut:
    """修改当前用户的通知设置；有任何错误时不做修改。"""
    username = _logged_in(caller)
    chosen = parse_preferences(body)
    await to_thread.run_sync(_services(request).preferences.keep, username, chosen)
    return await get_settings(request, username)


@router.get("/notifications", response_model=NotificationPage)
async def list_notifications(
    request: Request,
    caller: Caller,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    size: Annotated[int, Query(ge=1, le=100)] = 20,
) -> NotificationPage:
    """当前用户的站内通知，最新的在前。"""
    username = _logged_in(caller)
    found, total = await to_thread.run_sync(_services(request).outbox.in_app, username, page, size)
    items = [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            title=n.title,
            body=n.body,
            urgent=n.urgent,
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n in found
    ]
    return NotificationPage(items=items, total=total, page=page, size=size)


@router.post("/notifications/{notification_id}/read", status_code=204)
async def mark_read(
    request: Request, caller: Caller, notification_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> None:
    """把一条站内通知标为已读。"""
    username = _logged_in(caller)
    found = await to_thread.run_sync(_services(request).outbox.mark_read, username, notification_id)
    if not found:
        raise NotFound("notification_not_found", "没有找到这条通知。")
