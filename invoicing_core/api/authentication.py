"""POST /auth/token: exchange a user name and password for a bearer token; GET /auth/me."""

from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter
from pydantic import BaseModel, StringConstraints

from invoicing_core.api.dependencies import ClientAddress, CoreDep, CurrentPrincipal
from invoicing_core.domain.account import Role

router = APIRouter(tags=["auth"])

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Password = Annotated[str, StringConstraints(min_length=1, max_length=128)]


class TokenRequest(BaseModel):
    """A user name and password."""

    username: Username
    password: Password


class TokenResponse(BaseModel):
    """A bearer token for the Authorization header."""

    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_at: datetime


@router.post("/auth/token", response_model=TokenResponse)
async def log_in(request: TokenRequest, core: CoreDep, address: ClientAddress) -> TokenResponse:
    """登录并取得访问令牌。

    同一地址连续输错密码5次，该地址登录此账户将被锁定15分钟（再次锁定时长加倍）；各地址合计
    15分钟内输错50次则锁定整个账户15分钟。用户名不存在、密码错误和锁定均返回相同的 401 答复。
    """
    issued = await to_thread.run_sync(
        core.accounts.log_in, request.username, request.password, address
    )
    return TokenResponse(access_token=issued.token, expires_at=issued.expires_at)


class CompanyOut(BaseModel):
    """The user's company as its invoices name it."""

    name: str
    tax_id: str


class MeOut(BaseModel):
    """Who the token belongs to: what a page needs to show the right things."""

    username: str
    display_name: str
    role: Role
    company_id: int | None
    company: CompanyOut | None


@router.get("/auth/me", response_model=MeOut)
async def me(who: CurrentPrincipal, core: CoreDep) -> MeOut:
    """当前登录用户：用户名、姓名、角色和所属企业（名称、税号）。"""
    company = None
    if who.company_id is not None:
        found = await to_thread.run_sync(core.accounts.company_named, who.company_id)
        company = CompanyOut(name=found.name, tax_id=found.tax_id)
    return MeOut(
        username=who.username,
        display_name=who.display_name,
        role=who.role,
        company_id=who.company_id,
        company=company,
    )
