"""Chat turns through the whole assistant: throughput and latency, and where the time goes.

Starts the real stack (app, Rasa, action server) on a scratch database and runs 1, 10
and 50 concurrent conversations of the demo user through POST /api/v1/chat and through
the widget's websocket /ws/chat, mixing policy questions and invoice queries. The
split of a turn's time comes from the app's own request log: the chat request in the
app, the API calls the actions made back into the app (knowledge search, invoices,
reports), and the rest (Rasa's NLU and dialogue, the action server, the HTTP hops).

    .venv/bin/python -m bench.conversation [--turns 6] [--levels 1,10,50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
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

from bench.full_stack import running_stack
from bench.report import percentiles, publish

TURNS = [
    "忘记密码怎么办",
    "查一下最近一张发票",
    "专票和普票有什么区别",
    "本月开票情况",
    "红字发票怎么开",
    "今天开了多少票",
]
# The limits protect production; the benchmark measures what the stack can carry.
UNLIMITED = {"RATE_LIMIT_CHAT": "1000000/minute", "RATE_LIMIT_LOGIN": "1000000/minute"}
Conversation = Callable[[str, str, int], Awaitable[list[float]]]


async def http_conversation(app_url: str, token: str, turns: int) -> list[float]:
    """One conversation over POST /api/v1/chat; the latency of each turn in ms."""
    latencies, conversation_id = [], None
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=app_url, headers=headers, timeout=120) as client:
        for n in range(turns):
            body = {"message": TURNS[n % len(TURNS)], "conversation_id": conversation_id}
            started = time.perf_counter()
            response = await client.post("/api/v1/chat", json=body)
            latencies.append((time.perf_counter() - started) * 1000)
            response.raise_for_status()
            conversation_id = response.json()["conversation_id"]
    return latencies


async def socket_conversation(app_url: str, token: str, turns: int) -> list[float]:
    """One conversation over /ws/chat; a turn ends with the bot's first message frame."""
    latencies = []
    url = app_url.replace("http://", "ws://") + "/ws/chat"
    async with websockets.connect(url, max_size=2**22) as socket:
        await socket.send(json.dumps({"type": "hello", "token": token}))
        await _frame(socket, lambda frame: frame["type"] == "welcome")
        for n in range(turns):
            frame = {"type": "message", "text": TURNS[n % len(TURNS)], "client_id": _id()}
            started = time.perf_counter()
            await socket.send(json.dumps(frame))
            await _frame(socket, _is_bot_message)
            latencies.append((time.perf_counter() - started) * 1000)
    return latencies


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
    conversation: Conversation, app_url: str, token: str, concurrent: int, turns: int
) -> dict[str, float]:
    """`concurrent` conversations of `turns` turns at once: throughput and percentiles."""
    started = time.perf_counter()
    results = await asyncio.gather(
        *(conversation(app_url, token, turns) for _ in range(concurrent))
    )
    seconds = time.perf_counter() - started
    samples = [latency for result in results for latency in result]
    return {
        "concurrent": concurrent,
        "turns": len(samples),
        "turns_per_second": round(len(samples) / seconds, 2),
        **percentiles(samples),
    }


def time_split(log: Path, since: float, until: float) -> dict[str, float]:
    """Mean ms per HTTP chat turn in the app, in the actions' calls into it, and elsewhere."""
    spent: dict[str, list[float]] = defaultdict(list)
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
    turns = max(1, len(spent["chat"]))
    chat = statistics.fmean(spent["chat"]) if spent["chat"] else 0.0
    nested = {kind: sum(values) / turns for kind, values in spent.items() if kind != "chat"}
    return {
        "chat_request_in_app_ms": round(chat, 1),
        **{f"actions_call_{kind}_ms": round(value, 1) for kind, value in nested.items()},
        "rasa_and_action_server_ms": round(chat - sum(nested.values()), 1),
    }


def _api_kind(path: str) -> str:
    for kind in ("knowledge", "invoices", "reports"):
        if path.startswith(f"/api/v1/{kind}"):
            return kind
    return "other"


def _epoch(event: dict[str, object]) -> float:
    return datetime.fromisoformat(str(event["timestamp"]).replace("Z", "+00:00")).timestamp()


def main() -> None:
    """Run every level over both transports against one running stack."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=6)
    parser.add_argument("--levels", default="1,10,50")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    figures: dict[str, object] = {"turns_per_conversation": args.turns, "messages": TURNS}
    with tempfile.TemporaryDirectory() as scratch, running_stack(Path(scratch), UNLIMITED) as stack:
        login = {"username": "demo", "password": "Demo@2026!"}
        token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login).json()["access_token"]
        # Warm-up: first turns load Rasa's model caches and the action server's client.
        asyncio.run(http_conversation(stack.app_url, token, len(TURNS)))
        for name, conversation in (("http", http_conversation), ("websocket", socket_conversation)):
            since = time.time()
            figures[name] = [
                asyncio.run(run_level(conversation, stack.app_url, token, level, args.turns))
                for level in levels
            ]
            if name == "http":
                # Only HTTP turns appear in the request log, so the split is taken over them.
                figures["time_split_http"] = time_split(stack.log, since, time.time())
    publish("conversation", figures)


if __name__ == "__main__":
    main()
