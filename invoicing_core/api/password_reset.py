"""Password reset by a one-time code: request a code, then confirm it with a new password."""

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, status
from pydantic import BaseModel, ConfigDict, StringConstraints

from invoicing_core.api.dependencies import ClientAddress, CoreDep
from invoicing_core.domain.password_reset import CODE_DIGITS, REQUEST_ACCEPTED_MESSAGE

router = APIRouter(prefix="/auth/password-reset", tags=["auth"])

Username = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, pattern=rf"^\d{{{CODE_DIGITS}}}$")]
Password = Annotated[str, StringConstraints(min_length=1, max_length=128)]

RESET_DONE_MESSAGE = "密码已重置，账户已解锁，原有登录均已失效，请使用新密码登录。"


class ResetRequestIn(BaseModel):
    """Whose password to reset."""

    model_config = ConfigDict(extra="forbid")

    username: Username


class ResetConfirmIn(BaseModel):
    """The code that was sent and the new password."""

    model_config = ConfigDict(extra="forbid")

    username: Username
    code: Code
    new_password: Password


class MessageOut(BaseModel):
    """What to tell the user."""

    message: str


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=MessageOut)
async def request_code(body: ResetRequestIn, core: CoreDep, address: ClientAddress) -> MessageOut:
    """申请重置密码：向账户绑定的手机或邮箱发送6位验证码，10分钟内有效。

    每个用户24小时内最多5个验证码，其中由同一地址申请的最多3个；同一地址24小时内最多申请
    20个。无论用户名是否存在、是否超出限制，都返回同样的 202 答复，以免泄露哪些账户存在。
    """
    await to_thread.run_sync(core.password_resets.request, body.username, address)
    return MessageOut(message=REQUEST_ACCEPTED_MESSAGE)


@router.post("/confirm", response_model=MessageOut)
async def confirm(body: ResetConfirmIn, core: CoreDep) -> MessageOut:
    """用验证码设置新密码：账户及各地址的锁定随即解除，原有的所有登录令牌失效。

    验证码最多可输错5次。
    """
    await to_thread.run_sync(
        core.password_resets.confirm, body.username, body.code, body.new_password
    )
    return MessageOut(message=RESET_DONE_MESSAGE)
