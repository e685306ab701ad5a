"""What the WeChat, WeCom, DingTalk and Feishu turns share: each message logged once
before anything else (a platform's retry finds its row), turns run as tasks, and the
turns of a worker that died mid-turn taken over by another (channels/wechat/
turn_timer.py and channels/im_bots/turns.py say how each platform answers)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from anyio import to_thread

from channels.wechat.inbound import Inbound
from channels.wechat.inbound_log import Claim, InboundLog, StaleTurn
from channels.wechat.message_router import MessageRouter

T = TypeVar("T")


class BackgroundTurns:
    """One account's logged messages and the tasks answering them."""

    def __init__(self, account: str, router: MessageRouter, inbound: InboundLog) -> None:
        self._account = account
        self._router = router
        self._inbound = inbound
        self._running: set[asyncio.Task[Any]] = set()

    async def drain(self) -> None:
        """Wait for the turns still running (at shutdown, and in tests)."""
        while self._running:
            await asyncio.gather(*self._running, return_exceptions=True)

    async def _claim(self, message: Inbound) -> Claim:
        """Log the message; a retry of a logged one gets its row with first=False."""
        return await to_thread.run_sync(
            self._inbound.claim,
            self._account,
            message.msg_key,
            message.openid,
            message.kind,
            message.summary,
        )

    def _start(self, work: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.create_task(work)
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    async def _taken_over(self, within: timedelta) -> list[StaleTurn]:
        """The turns of dead workers received within the window, now this worker's."""
        since = datetime.now(UTC) - within
        return await to_thread.run_sync(self._inbound.taken_over, self._account, since)

    def _client_id(self, row_id: int) -> str:
        """The id the bot sees the message under: a taken-over turn stores nothing twice."""
        return f"{self._account}-inbound-{row_id}"


def message_of(account: str, turn: StaleTurn) -> Inbound:
    """The logged message again: a text is asked again; other kinds keep their summary."""
    text = turn.content if turn.msg_type == "text" else ""
    return Inbound(
        account, turn.openid, "", turn.msg_key, turn.msg_type, text, summary=turn.content
    )
