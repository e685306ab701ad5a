"""User management for company admins: list the company's users, change a user's role,
unlock a user."""

from datetime import datetime
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict

from invoicing_core.api.dependencies import CoreDep, CurrentPrincipal
from invoicing_core.domain.account import Role
from invoicing_core.services.user_admin import UserSummary

router = APIRouter(prefix="/users", tags=["users"])

Username = Annotated[str, Path(min_length=1, max_length=64)]


class UserOut(BaseModel):
    """A user of the company; `locked`: the account, or some address, is locked out."""

    username: str
    display_name: str
    role: Role
    locked: bool
    created_at: datetime

    @classmethod
    def of(cls, user: UserSummary) -> "UserOut":
        """From the service."""
        return cls(**user.__dict__)


class UserList(BaseModel):
    """The company's users, by user name."""

    items: list[UserOut]


class RoleChangeIn(BaseModel):
    """The user's new role."""

    model_config = ConfigDict(extra="forbid")

    role: Role


@router.get("", response_model=UserList)
async def list_users(who: CurrentPrincipal, core: CoreDep) -> UserList:
    """列出本企业的用户（仅限企业管理员）。"""
    found = await to_thread.run_sync(core.users.list_users, who)
    return UserList(items=[UserOut.of(user) for user in found])


@router.patch("/{username}", response_model=UserOut)
async def change_role(
    username: Username, body: RoleChangeIn, who: CurrentPrincipal, core: CoreDep
) -> UserOut:
    """修改本企业用户的角色（仅限企业管理员）。

    企业须至少保留一名管理员：唯一的管理员不能把自己改为其他角色（返回 409 last_admin），
    请先把另一位用户设为管理员。客服坐席（agent）不属于企业，不能设置。
    """
    changed = await to_thread.run_sync(core.users.change_role, who, username, body.role)
    return UserOut.of(changed)


@router.post("/{username}/unlock", response_model=UserOut)
async def unlock(username: Username, who: CurrentPrincipal, core: CoreDep) -> UserOut:
    """解锁本企业用户（仅限企业管理员）：解除账户锁定及所有地址因输错密码而被锁定的状态。"""
    unlocked = await to_thread.run_sync(core.users.unlock, who, username)
    return UserOut.of(unlocked)
