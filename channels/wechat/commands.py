"""What a WeChat user types to bind or unbind their account, recognised without the bot."""

from __future__ import annotations

import re
from dataclasses import dataclass

_BIND = re.compile(r"^\s*绑定(?:账号|帐号)?\s*[:：]?\s*([A-Za-z0-9_.@-]{1,64})\s*$")
_CODE = re.compile(r"^\s*(\d{6})\s*$")
_UNBIND = re.compile(r"^\s*(解绑|解除绑定|取消绑定)\s*$")
_HELP = re.compile(r"^\s*(绑定|账号绑定|帐号绑定|绑定账号|BIND)\s*$", re.IGNORECASE)

BIND_HELP = (
    "绑定开票账号后即可在这里办理开票、查票、作废、红冲等业务：\n"
    "1. 发送“绑定 用户名”（例如：绑定 demo），验证码将发送至该账号预留的手机或邮箱；\n"
    "2. 回复收到的6位验证码即可完成绑定。\n"
    "也可以登录网页版开票助手获取绑定验证码，然后在这里发送“绑定 验证码”。\n"
    "发送“解绑”可解除绑定。"
)
BIND_HINT = "发送“绑定 用户名”即可绑定开票账号，例如：绑定 demo"


@dataclass(frozen=True)
class Command:
    """A binding command: help, bind (a user name), code (six digits) or unbind."""

    name: str
    argument: str = ""


def binding_command(text: str, code_pending: bool) -> Command | None:
    """The command in `text`; bare six digits count only while a code is pending."""
    if _UNBIND.match(text):
        return Command("unbind")
    if _HELP.match(text):
        return Command("help")
    if found := _BIND.match(text):
        argument = found.group(1)
        # A code shown in the web app is sent as "绑定 123456".
        return Command("code" if _CODE.match(argument) else "bind", argument)
    if code_pending and (found := _CODE.match(text)):
        return Command("code", found.group(1))
    return None
