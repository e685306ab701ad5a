"""System notices (系统公告): everyone reads the current and upcoming ones; the agents'
supervisors, who serve the whole platform, schedule and withdraw them (operators also
with `python -m channels notice`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from anyio import to_thread
from fastapi import APIRouter, Body, Depends, Path, Request

from channels.api.agent_auth import LiveDep, bearer_token, logged_in
from channels.api.dependencies import ServicesDep
from channels.notices.notice import parse_notice
from channels.web.errors import Forbidden, NotFound
from channels.web.identity import Identity

router = APIRouter(tags=["notices"])


async def _scheduler(request: Request, live: LiveDep) -> Identity:
    """The supervisor calling; 401 without a login, 403 for everyone else."""
    identity = await logged_in(live, bearer_token(request))
    if not identity.is_supervisor:
        raise Forbidden("forbidden", "只有客服主管可以发布或撤下系统公告。")
    return identity


Scheduler = Annotated[Identity, Depends(_scheduler)]


@router.get("/notices")
async def list_notices(services: ServicesDep) -> dict[str, Any]:
    """当前和即将生效的系统公告（按开始时间排序）；无需登录。"""
    now = datetime.now(UTC)
    found = await to_thread.run_sync(services.notices.upcoming, now)
    return {"items": [notice.to_json(now) for notice in found]}


@router.post("/notices", status_code=201)
async def add_notice(
    services: ServicesDep, who: Scheduler, body: Annotated[Any, Body()] = None
) -> dict[str, Any]:
    """发布系统公告：{text, starts_at, ends_at, maintenance?}。

    时间为 ISO 8601，不带时区按北京时间；maintenance 为 true 时是维护窗口，
    其间智能助手不作答，消息保留到结束后处理。"""
    now = datetime.now(UTC)
    draft = parse_notice(body, now)
    notice = await to_thread.run_sync(services.notices.add, draft, who.username)
    return notice.to_json(now)


@router.delete("/notices/{notice_id}", status_code=204)
async def withdraw_notice(
    services: ServicesDep, who: Scheduler, notice_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> None:
    """撤下系统公告；正在进行的维护窗口随即结束，保留的消息随后得到回答。"""
    if not await to_thread.run_sync(services.notices.withdraw, notice_id, who.username):
        raise NotFound("notice_not_found", "没有找到这条公告，或它已被撤下。")
