"""Chat turns through the whole assistant: throughput and latency, and where the time goes.

Starts the real stack (app, Rasa, action server) on a scratch database and runs
conversations of the demo user through POST /api/v1/chat and through the widget's
websocket /ws/chat, mixing policy questions, invoice queries and reports:

- back to back: 1, 10 and 50 conversations at once, each sending its next message as
  soon as the answer arrives (no one reading or typing): throughput, and the queueing
  when the stack is saturated;
- paced: 10 conversations at once over HTTP whose users take 0.5-1.5 s between an
  answer and their next message (a clerk reads and types for far longer): the latency
  of a question turn and of an invoice-query turn, issue 5's target.

Where a paced turn's time goes comes from the app's own request log: the chat request
in the app, the API calls the actions made back into the app (knowledge search,
invoices, reports), the app's SQL time in all of them, and the rest (Rasa's NLU,
dialogue and tracker store, the action server, the HTTP hops); and from /proc, the CPU
time the app, Rasa and the action server each spent per turn.

    .venv/bin/python -m bench.conversation [--turns 12] [--levels 1,10,50] [--paced-turns 30]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import httpx
import websockets

from bench.full_stack import FullStack, running_stack
from bench.processes import cpu
from bench.report import percentiles, publish

# Each conversation's messages in turn, and what kind of turn each is.
KIND = {
    "忘记密码怎么办": "question",
    "查一下最近一张发票": "invoice_query",
    "专票和普票有什么区别": "question",
    "本月开票情况": "report",
    "红字发票怎么开": "question",
    "今天开了多少票": "report",
}
TURNS = list(KIND)
# Seconds a paced user takes between an answer and the next message.
THINK_SECONDS = (0.5, 1.5)
PACED_CONVERSATIONS = 10
JITTER = random.Random(7)  # noqa: S311 - timing jitter, not secrets
# The limits protect production; the benchmark measures what the stack can carry.
UNLIMITED = {"RATE_LIMIT_CHAT": "1000000/minute", "RATE_LIMIT_LOGIN": "1000000/minute"}
DEMO_LOGIN = {"username": "demo", "password": "Demo@2026!"}
Turns = list[tuple[str, float]]
Conversation = Callable[[str, str, int, bool], Awaitable[Turns]]


async def http_conversation(app_url: str, token: str, turns: int, paced: bool = False) -> Turns:
    """One conversation over POST /api/v1/chat: each turn's message and latency in ms."""
    latencies: Turns = []
    conversation_id = None
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=app_url, headers=headers, timeout=120) as client:
        for n in range(turns):
            await _think(paced)
            text = TURNS[n % len(TURNS)]
            started = time.perf_counter()
            response = await client.post(
                "/api/v1/chat", json={"message": text, "conversation_id": conversation_id}
            )
            latencies.append((text, (time.perf_counter() - started) * 1000))
            response.raise_for_status()
            conversation_id = response.json()["conversation_id"]
    return latencies


async def socket_conversation(app_url: str, token: str, turns: int, paced: bool = False) -> Turns:
    """One conversation over /ws/chat; a turn ends with the bot's first message frame."""
    latencies: Turns = []
    url = app_url.replace("http://", "ws://") + "/ws/chat"
    async with websockets.connect(url, max_size=2**22) as socket:
        await socket.send(json.dumps({"type": "hello", "token": token}))
        await _frame(socket, lambda frame: frame["type"] == "welcome")
        for n in range(turns):
            await _think(paced)
            text = TURNS[n % len(TURNS)]
            started = time.perf_counter()
            await socket.send(json.dumps({"type": "message", "text": text, "client_id": _id()}))
            await _frame(socket, _is_bot_message)
            latencies.append((text, (time.perf_counter() - started) * 1000))
    return latencies


async def _think(paced: bool) -> None:
    if paced:
        await asyncio.sleep(JITTER.uniform(*THINK_SECONDS))


def _id() -> str:
    return uuid.uuid4().hex


def _is_bot_message(frame: dict[str, object]) -> bool:
    message = frame.get("message")
    return frame["type"] == "message" and isinstance(message, dict) and message["role"] == "bot"


async def _frame(
    socket: websockets.ClientConnection, wanted: Callable[[dict[str, object]], bool]
) -> dict[str, object]:
    while True:
        frame: dict[str, object] = json.loads(await asyncio.wait_for(socket.recv(), 120))
        if frame["type"] == "error":
            raise RuntimeError(f"error frame: {frame}")
        if wanted(frame):
            return frame


async def run_level(
    conversation: Conversation,
    app_url: str,
    token: str,
    concurrent: int,
    turns: int,
    paced: bool = False,
) -> dict[str, object]:
    """`concurrent` conversations of `turns` turns at once: throughput and percentiles."""
    started = time.perf_counter()
    results = await asyncio.gather(
        *(conversation(app_url, token, turns, paced) for _ in range(concurrent))
    )
    seconds = time.perf_counter() - started
    samples = [turn for result in results for turn in result]
    by_kind: dict[str, list[float]] = defaultdict(list)
    for text, latency in samples:
        by_kind[KIND[text]].append(latency)
    return {
        "concurrent": concurrent,
        "turns": len(samples),
        "turns_per_second": round(len(samples) / seconds, 2),
        **percentiles([latency for _, latency in samples]),
        "by_kind": {kind: percentiles(latencies) for kind, latencies in by_kind.items()},
    }


def demo_token(app_url: str) -> str:
    """The demo clerk's access token."""
    token: str = httpx.post(f"{app_url}/api/v1/auth/token", json=DEMO_LOGIN).json()["access_token"]
    return token


def warmed_up(stack: FullStack) -> str:
    """The demo clerk's token, after one conversation that loads Rasa's model caches and
    the action server's client (the first turns of a fresh stack are slower)."""
    token = demo_token(stack.app_url)
    asyncio.run(http_conversation(stack.app_url, token, len(TURNS)))
    return token


def time_split(log: Path, since: float, until: float) -> dict[str, float]:
    """Mean ms per HTTP chat turn in the app, in the actions' calls into it, and elsewhere.

    `app_database_ms` is the app's SQL time within those requests (chat and calls alike).
    """
    spent: dict[str, list[float]] = defaultdict(list)
    database_ms = 0.0
    for line in log.read_text(errors="replace").splitlines():
        _, _, payload = line.partition("| ")
        if not payload.startswith("{"):
            continue
        event = json.loads(payload)
        if event.get("event") != "request" or not since <= _epoch(event) <= until:
            continue
        path = str(event["path"])
        kind = "chat" if path == "/api/v1/chat" else _api_kind(path)
        spent[kind].append(float(event["duration_ms"]))
        database_ms += float(event["database_ms"])
    turns = max(1, len(spent["chat"]))
    chat = statistics.fmean(spent["chat"]) if spent["chat"] else 0.0
    nested = {kind: sum(values) / turns for kind, values in spent.items() if kind != "chat"}
    return {
        "chat_request_in_app_ms": round(chat, 1),
        **{f"actions_call_{kind}_ms": round(value, 1) for kind, value in nested.items()},
        "app_database_ms": round(database_ms / turns, 1),
        "rasa_and_action_server_ms": round(chat - sum(nested.values()), 1),
    }


def _api_kind(path: str) -> str:
    for kind in ("knowledge", "invoices", "reports"):
        if path.startswith(f"/api/v1/{kind}"):
            return kind
    return "other"


def _epoch(event: dict[str, object]) -> float:
    return datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00")).timestamp()


def paced(stack: FullStack, token: str, turns: int) -> dict[str, object]:
    """The paced HTTP run, and where its turns' time went: little queueing, so a turn's own cost.

    The split comes from the app's request log (only HTTP turns appear in it); the CPU
    each process used comes from /proc, per turn.
    """
    pids = stack.pids()
    since, cpu_before = time.time(), cpu(pids)
    figures = asyncio.run(
        run_level(http_conversation, stack.app_url, token, PACED_CONVERSATIONS, turns, paced=True)
    )
    cpu_after, count = cpu(pids), PACED_CONVERSATIONS * turns
    return {
        "think_seconds": THINK_SECONDS,
        **figures,
        "time_split": time_split(stack.log, since, time.time()),
        "cpu_ms_per_turn": {
            name: round((cpu_after[name] - cpu_before[name]) * 1000 / count, 1) for name in pids
        },
    }


def main() -> None:
    """Run every level over both transports against one running stack."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=12)
    parser.add_argument("--levels", default="1,10,50")
    parser.add_argument("--paced-turns", type=int, default=30)
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    figures: dict[str, object] = {"turns_per_conversation": args.turns, "messages": TURNS}
    with tempfile.TemporaryDirectory() as scratch, running_stack(Path(scratch), UNLIMITED) as stack:
        token = warmed_up(stack)
        for name, conversation in (("http", http_conversation), ("websocket", socket_conversation)):
            figures[name] = [
                asyncio.run(run_level(conversation, stack.app_url, token, level, args.turns))
                for level in levels
            ]
        figures["paced_http"] = paced(stack, token, args.paced_turns)
    publish("conversation", figures)


if __name__ == "__main__":
    main()
