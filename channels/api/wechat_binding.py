"""POST /api/v1/wechat/binding-code: a logged-in web user gets a code to bind WeChat."""

from __future__ import annotations

from anyio import to_thread
from fastapi import APIRouter
from pydantic import BaseModel

from channels.api.dependencies import Caller, ServicesDep
from channels.web.errors import ClientError

router = APIRouter(tags=["wechat"])


class NotLoggedIn(ClientError):
    """The caller presented no valid access token."""

    status = 401


class BindingCode(BaseModel):
    """A one-time code to send in WeChat or WeCom, and how long it lives."""

    code: str
    expires_in: int
    how: str


@router.post("/wechat/binding-code", response_model=BindingCode)
async def binding_code(services: ServicesDep, username: Caller) -> BindingCode:
    """为已登录用户生成微信绑定验证码：在公众号或企业微信中发送“绑定 验证码”即可绑定。"""
    if username is None:
        raise NotLoggedIn("not_logged_in", "请先登录后再获取微信绑定验证码。")
    code, seconds = await to_thread.run_sync(services.wechat_binding.issue_for_web, username)
    how = f"请在{seconds // 60}分钟内，在开票助手公众号或企业微信应用中发送“绑定 {code}”。"
    return BindingCode(code=code, expires_in=seconds, how=how)
