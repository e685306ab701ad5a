"""`python -m channels notice add | list | withdraw`: operators schedule system notices
from the command line, checked as the API checks them."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from channels.notices.board import NoticeBoard
from channels.notices.notice import notice_line, parse_notice
from channels.web.errors import NotFound

OPERATOR = "operator"


def add_parser(commands: Any) -> None:
    """The `notice` command and its actions, on the app's command parser."""
    notice = commands.add_parser("notice", help="schedule, list or withdraw system notices")
    actions = notice.add_subparsers(dest="action", required=True)
    adding = actions.add_parser("add", help="schedule a notice (times without an offset: Beijing)")
    adding.add_argument("--text", required=True, help="what users are told (at most 500 chars)")
    adding.add_argument("--start", required=True, help="e.g. 2026-12-08T02:00 or …+08:00")
    adding.add_argument("--end", required=True, help="e.g. 2026-12-08T04:00")
    adding.add_argument(
        "--maintenance", action="store_true", help="the bot does not answer; messages are kept"
    )
    actions.add_parser("list", help="the current and upcoming notices")
    withdrawing = actions.add_parser("withdraw", help="take a notice down")
    withdrawing.add_argument("id", type=int)


def run(arguments: argparse.Namespace, engine: Engine) -> list[str]:
    """Do the action; the lines to print. InvalidNotice or NotFound on a refusal."""
    board, now = NoticeBoard(engine), datetime.now(UTC)
    if arguments.action == "add":
        body = {
            "text": arguments.text,
            "starts_at": arguments.start,
            "ends_at": arguments.end,
            "maintenance": arguments.maintenance,
        }
        notice = board.add(parse_notice(body, now), OPERATOR)
        return [f"公告 {notice.id} 已发布：{notice_line(notice, now)}"]
    if arguments.action == "withdraw":
        if not board.withdraw(arguments.id, OPERATOR):
            raise NotFound("notice_not_found", "没有找到这条公告，或它已被撤下。")
        return [f"公告 {arguments.id} 已撤下。"]
    found = board.upcoming(now)
    return [f"{n.id}  {notice_line(n, now)}" for n in found] or ["没有当前或即将生效的公告。"]
