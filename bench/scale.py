"""Many widget connections held open, some of them asking: drops, losses, latency, memory.

Starts the real stack (app, Rasa, action server) on a scratch database, opens
`--connections` sockets to /ws/chat as the demo user, keeps every one alive with
"ping" frames, and has `--active` of them ask questions and invoice queries without
pause but a think time, for `--seconds`. Then it checks each active conversation
against the app's store (every message sent stored once and answered, every stored
message delivered to the socket once), reconnects to compare the welcome frame's
history, and reports the turn latency, the CPU share of each process and its
resident memory before, at the peak and after.

    .venv/bin/python -m bench.scale [--connections 500] [--active 50] [--seconds 300]
        [--cluster]

With `--cluster` the same load then runs against `make cluster`'s topology
(bench/cluster_stack.py: HAProxy, two app workers, two Rasa replicas, two action
servers, PostgreSQL and Redis), and both runs' figures are printed side by side.
Exits with 1 when, in either run, a connection dropped, a message was lost,
duplicated or unanswered, or a ping went without its pong.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import httpx
from sqlalchemy import create_engine
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from bench.cluster_stack import keep_log, running_cluster
from bench.conversation import TURNS, UNLIMITED, http_conversation
from bench.full_stack import running_stack
from bench.processes import cpu, rss_mb
from bench.report import percentiles, publish
from channels.conversations.model import ConversationState, Message, Role
from channels.conversations.store import ConversationStore

Frame = dict[str, Any]
PING_SECONDS = 20.0
THINK_SECONDS = (3.0, 7.0)
TURN_TIMEOUT_SECONDS = 120.0
OPEN_PER_SECOND = 50
WELCOME_HISTORY = 50
# Think times and ping offsets; seeded, so runs differ only in what the stack does.
JITTER = random.Random(2026)  # noqa: S311 - timing jitter, not secrets


class Stack(Protocol):
    """What the load runs against: bench.full_stack's stack or bench.cluster_stack's cluster."""

    @property
    def app_url(self) -> str:
        """Where the widgets connect."""
        ...

    @property
    def env(self) -> dict[str, str]:
        """Its settings (DATABASE_URL for the store check)."""
        ...

    def pids(self) -> dict[str, int]:
        """Its processes, for CPU and memory."""
        ...


@dataclass
class Turn:
    """One question in flight: when it left, and whether the app echoed and answered it."""

    client_id: str
    sent_at: float
    text: str = ""
    echoed: bool = False
    answered: bool = False
    failed: bool = False
    # Refused for now (a busy database): sent again after this many seconds, as the widget does.
    retry_after: float = 0.0
    done: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def pending(self) -> bool:
        """Sent and neither answered nor refused: the widget sends it again on reconnecting."""
        return not (self.answered or self.failed)


@dataclass
class Client:
    """What one widget connection sent and received."""

    index: int
    active: bool
    conversation_id: str = ""
    sent: list[str] = field(default_factory=list)
    received: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    timeouts: int = 0
    pings: int = 0
    pongs: int = 0
    dropped: str | None = None
    closing: bool = False
    turn: Turn | None = None
    # With reconnecting (bench.cluster_faults): sessions after a drop, and welcomes that
    # missed the newest message this connection had received before it.
    reconnects: int = 0
    history_missing: int = 0
    drops_at: list[tuple[float, str]] = field(default_factory=list)
    failed_at: list[float] = field(default_factory=list)
    timed_out_at: list[float] = field(default_factory=list)
    answered_at: list[tuple[float, float]] = field(default_factory=list)

    def on_frame(self, frame: Frame) -> None:
        """Record a frame the app sent."""
        kind = frame.get("type")
        if kind == "pong":
            self.pongs += 1
        elif kind == "ack" and frame.get("duplicate") and self.turn is not None:
            # Sent again after a reconnect, and answered before: the answer was in the
            # welcome's history.
            if frame.get("client_id") == self.turn.client_id:
                self.turn.answered = True
                self.turn.done.set()
        elif kind == "message":
            self._on_message(frame["message"])
        elif kind == "error":
            self.errors[str(frame.get("code"))] += 1
            if self.turn is not None and not self.turn.done.is_set():
                if frame.get("retry_after") and frame.get("client_id") == self.turn.client_id:
                    self.turn.retry_after = float(frame["retry_after"])
                else:
                    self.turn.failed = True
                self.failed_at.append(time.monotonic())
                self.turn.done.set()

    def _on_message(self, message: Frame) -> None:
        self.received[int(message["id"])] += 1
        turn = self.turn
        if turn is None or turn.done.is_set():
            return
        if message.get("client_id") == turn.client_id:
            turn.echoed = True
        elif turn.echoed and message["role"] == Role.BOT.value:
            latency = (time.perf_counter() - turn.sent_at) * 1000
            self.latencies_ms.append(latency)
            self.answered_at.append((time.monotonic(), latency))
            turn.answered = True
            turn.done.set()


async def hold(
    client: Client, url: str, token: str, stop_at: float, *, reconnect: bool = False
) -> None:
    """Open the connection, keep it (asking when active) until `stop_at`, then close it.

    With `reconnect`, a dropped connection is opened again to the same conversation, as
    the widget does, and a question left unanswered is sent again under its client id.
    """
    while True:
        try:
            await _session(client, url, token, stop_at)
            return
        except (ConnectionClosed, InvalidHandshake, OSError, TimeoutError) as exc:
            client.dropped = client.dropped or repr(exc)
            client.drops_at.append((time.monotonic(), type(exc).__name__))
        if not reconnect or time.monotonic() >= stop_at:
            return
        await asyncio.sleep(1)
        client.reconnects += 1
        client.dropped = None


async def _session(client: Client, url: str, token: str, stop_at: float) -> None:
    async with connect(url, ping_interval=None, open_timeout=60, max_size=2**22) as socket:
        hello = {"type": "hello", "token": token}
        if client.conversation_id:
            hello["conversation_id"] = client.conversation_id
        await socket.send(json.dumps(hello))
        welcome = json.loads(await asyncio.wait_for(socket.recv(), 60))
        if client.conversation_id and client.received:
            shown = {int(m["id"]) for m in welcome["messages"]}
            client.history_missing += max(client.received) not in shown
            # What was said while the socket was gone reaches the widget in the welcome.
            client.received.update(shown - set(client.received))
        client.conversation_id = welcome["conversation_id"]
        reader = asyncio.create_task(read(client, socket))
        tasks = [keep_alive(client, socket, stop_at)]
        if client.active:
            tasks.append(ask(client, socket, stop_at))
        working = asyncio.gather(*tasks)
        await asyncio.wait((working, reader), return_when=asyncio.FIRST_COMPLETED)
        if reader.done():  # the connection went before the end
            working.cancel()
            await asyncio.gather(working, return_exceptions=True)
            raise ConnectionClosed(None, None)
        working.result()
        await asyncio.sleep(3)  # the last pongs
        client.closing = True
        await socket.close()
        await reader


async def read(client: Client, socket: ClientConnection) -> None:
    """Record every frame until the connection closes; a close we did not ask for is a drop."""
    try:
        async for raw in socket:
            client.on_frame(json.loads(raw))
    except ConnectionClosed as exc:
        client.dropped = repr(exc)
    if not client.closing and client.dropped is None:
        client.dropped = f"closed by the app ({socket.close_code})"
    if client.turn is not None:
        client.turn.done.set()


async def keep_alive(client: Client, socket: ClientConnection, stop_at: float) -> None:
    """A "ping" frame (the socket's keep-alive) every PING_SECONDS."""
    await asyncio.sleep(JITTER.uniform(0, PING_SECONDS))
    while time.monotonic() < stop_at and client.dropped is None:
        await socket.send(json.dumps({"type": "ping"}))
        client.pings += 1
        await asyncio.sleep(PING_SECONDS)


async def ask(client: Client, socket: ClientConnection, stop_at: float) -> None:
    """Ask, wait for the answer, think, and again, until `stop_at`; a question the last
    connection left unanswered first, again."""
    n = client.index + len(client.sent)
    pending = client.turn if client.turn is not None and client.turn.pending else None
    if pending is None:
        await asyncio.sleep(JITTER.uniform(*THINK_SECONDS))
    # A question refused for now is sent again even past `stop_at`: it must not be lost.
    while (time.monotonic() < stop_at or pending is not None) and client.dropped is None:
        turn = pending or Turn(uuid.uuid4().hex, time.perf_counter(), TURNS[n % len(TURNS)])
        if pending is None:
            client.turn = turn
            client.sent.append(turn.client_id)
            n += 1
        pending, turn.done = None, asyncio.Event()
        frame = {"type": "message", "text": turn.text, "client_id": turn.client_id}
        await socket.send(json.dumps(frame))
        try:
            await asyncio.wait_for(turn.done.wait(), TURN_TIMEOUT_SECONDS)
        except TimeoutError:
            client.timeouts += 1
            client.timed_out_at.append(time.monotonic() - TURN_TIMEOUT_SECONDS)  # when it left
        if client.dropped is not None:
            return  # the connection went: the turn is sent again on the next one
        if turn.retry_after:
            await asyncio.sleep(turn.retry_after)
            pending, turn.retry_after = turn, 0.0
            continue
        await asyncio.sleep(JITTER.uniform(*THINK_SECONDS))


def memory(pids: dict[str, int]) -> dict[str, float]:
    """Resident memory (MiB) of each process."""
    return {name: rss_mb(pid) for name, pid in pids.items()}


async def sample(pids: dict[str, int], peak: dict[str, float], stop_at: float) -> list[float]:
    """Keep each process's highest resident memory; the 1-minute load every few seconds."""
    loads = []
    while time.monotonic() < stop_at:
        for name, value in memory(pids).items():
            peak[name] = max(peak.get(name, 0.0), value)
        loads.append(os.getloadavg()[0])
        await asyncio.sleep(5)
    return loads


async def run(stack: Stack, token: str, args: argparse.Namespace) -> dict[str, Any]:
    """Open every connection, run the load for the duration, and gather what each saw."""
    url = stack.app_url.replace("http://", "ws://") + "/ws/chat"
    clients = [Client(i, i < args.active) for i in range(args.connections)]
    pids, peak = stack.pids(), dict[str, float]()
    started, cpu_at_start = time.monotonic(), cpu(pids)
    stop_at = started + args.connections / OPEN_PER_SECOND + args.seconds
    sampler = asyncio.create_task(sample(pids, peak, stop_at))
    holders = []
    for client in clients:
        holders.append(asyncio.create_task(hold(client, url, token, stop_at)))
        await asyncio.sleep(1 / OPEN_PER_SECOND)
    await asyncio.sleep(max(0.0, stop_at - time.monotonic() - 1))
    at_end, cpu_at_end = memory(pids), cpu(pids)
    await asyncio.gather(*holders)
    loads = await sampler
    used = {name: round(cpu_at_end[name] - cpu_at_start[name], 1) for name in pids}
    return {
        "clients": clients,
        # The active connections open first and ask from then until stop_at.
        "seconds": stop_at - started,
        "peak": peak,
        "at_end": at_end,
        "cpu": used,
        "load": {"mean": round(statistics.fmean(loads), 2), "max": round(max(loads), 2)},
    }


def check_store(clients: list[Client], database_url: str) -> dict[str, Any]:
    """Each active conversation against the store: stored once, answered, delivered once;
    the first unanswered messages, to look for in the logs."""
    store = ConversationStore(create_engine(database_url))
    totals: Counter[str] = Counter()
    unanswered: list[dict[str, Any]] = []
    for client in clients:
        if client.active and client.conversation_id:
            stored = store.history(client.conversation_id, limit=1_000_000)
            totals.update(_conversation_faults(client, stored))
            conversation = store.get(client.conversation_id)
            with_bot = conversation is not None and conversation.state is ConversationState.BOT
            totals["conversations_not_with_the_bot"] += not with_bot
            unanswered += [
                {"conversation_id": client.conversation_id, "at": m.created_at.isoformat()}
                | {"text": m.text, "client_id": m.client_id, "with_bot": with_bot}
                for m in _unanswered(stored)
            ]
    names = ("lost", "duplicated", "frames_lost", "frames_duplicated")
    return {
        **{name: totals[name] for name in names},
        "unanswered": sum(m["with_bot"] for m in unanswered),
        # Handed over (the bot failed, the user was told and queued): a person answers.
        "conversations_not_with_the_bot": totals["conversations_not_with_the_bot"],
        "waiting_for_a_person": sum(not m["with_bot"] for m in unanswered),
        "unanswered_first": unanswered[:10],
    }


def _conversation_faults(client: Client, stored: list[Message]) -> Counter[str]:
    faults: Counter[str] = Counter()
    users = [m for m in stored if m.role is Role.USER]
    counts = Counter(m.client_id for m in users)
    faults["lost"] = sum(1 for client_id in client.sent if counts[client_id] == 0)
    faults["duplicated"] = sum(count - 1 for count in counts.values() if count > 1)
    stored_ids = {m.id for m in stored}
    faults["frames_lost"] = len(stored_ids - set(client.received))
    faults["frames_duplicated"] = sum(n - 1 for n in client.received.values() if n > 1)
    return faults


def _unanswered(stored: list[Message]) -> list[Message]:
    """User messages with no bot reply before the next user message."""
    unanswered: list[Message] = []
    waiting: Message | None = None
    for message in stored:
        if message.role is Role.USER:
            unanswered += [waiting] if waiting else []
            waiting = message
        elif message.role is Role.BOT:
            waiting = None
    return unanswered + ([waiting] if waiting else [])


async def check_reconnect(stack: Stack, token: str, clients: list[Client]) -> int:
    """Reconnect to each active conversation: the welcome frame must hold its newest messages."""
    url = stack.app_url.replace("http://", "ws://") + "/ws/chat"
    store = ConversationStore(create_engine(stack.env["DATABASE_URL"]))
    mismatches = 0
    for client in (c for c in clients if c.active and c.conversation_id):
        hello = {"type": "hello", "token": token, "conversation_id": client.conversation_id}
        async with connect(url, ping_interval=None) as socket:
            await socket.send(json.dumps(hello))
            welcome = json.loads(await asyncio.wait_for(socket.recv(), 60))
        shown = [m["id"] for m in welcome["messages"]]
        newest = [m.id for m in store.history(client.conversation_id, WELCOME_HISTORY)]
        mismatches += shown != newest
    return mismatches


def summary(result: dict[str, Any]) -> dict[str, Any]:
    """The figures of the run: turns, latency, drops, pings."""
    clients: list[Client] = result["clients"]
    latencies = [ms for c in clients for ms in c.latencies_ms]
    errors: Counter[str] = sum((c.errors for c in clients), Counter())
    drops = [f"#{c.index}: {c.dropped}" for c in clients if c.dropped]
    return {
        "turns": len(latencies),
        "turns_per_second": round(len(latencies) / result["seconds"], 2),
        **(percentiles(latencies) if len(latencies) > 1 else {}),
        "turn_timeouts": sum(c.timeouts for c in clients),
        "messages_sent": sum(len(c.sent) for c in clients),
        "dropped_connections": len(drops),
        "drops": drops[:10],
        "error_frames": dict(errors),
        "pings": sum(c.pings for c in clients),
        "pongs_missing": sum(c.pings - c.pongs for c in clients),
    }


def failed(figures: dict[str, Any]) -> bool:
    """Whether the run broke a promise: a drop, a lost, duplicated or unanswered message."""
    keys = ("dropped_connections", "turn_timeouts", "pongs_missing", "reconnect_mismatches")
    checks = figures["store_check"]
    return any(figures[key] for key in keys) or any(checks.values())


def main() -> None:
    """Run the scale benchmark against a fresh stack (and cluster) and publish its figures."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--active", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--cluster", action="store_true", help="then against make cluster")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, running_stack(Path(scratch), UNLIMITED) as stack:
        figures = measured(stack, args)
    if args.cluster:
        publish("scale_single", figures)  # kept even if the cluster's half fails
        with tempfile.TemporaryDirectory() as scratch:
            try:
                with running_cluster(Path(scratch), UNLIMITED) as cluster:
                    figures = {"single": figures, "cluster": measured(cluster, args)}
            finally:
                keep_log(Path(scratch) / "cluster.log", "scale_cluster")
        publish("scale", figures)
        sys.exit(1 if failed(figures["single"]) or failed(figures["cluster"]) else 0)
    publish("scale", figures)
    sys.exit(1 if failed(figures) else 0)


def measured(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    """The load against a running stack, and its figures."""
    login = {"username": "demo", "password": "Demo@2026!"}
    token = httpx.post(f"{stack.app_url}/api/v1/auth/token", json=login).json()["access_token"]
    asyncio.run(http_conversation(stack.app_url, token, len(TURNS)))  # warm-up
    before = memory(stack.pids())
    result = asyncio.run(run(stack, token, args))
    return _figures(stack, token, args, result, before)


def _figures(
    stack: Stack,
    token: str,
    args: argparse.Namespace,
    result: dict[str, Any],
    before: dict[str, float],
) -> dict[str, Any]:
    after_close = memory(stack.pids())
    seconds = result["seconds"]
    return {
        "connections": args.connections,
        "active": args.active,
        "seconds": args.seconds,
        "think_seconds": THINK_SECONDS,
        "ping_seconds": PING_SECONDS,
        "messages": TURNS,
        "rate_limits": UNLIMITED,
        **summary(result),
        "store_check": check_store(result["clients"], stack.env["DATABASE_URL"]),
        "reconnect_mismatches": asyncio.run(check_reconnect(stack, token, result["clients"])),
        # Other work on the machine during the load (report.py's figure is the end's).
        "load_average_1m_during_load": result["load"],
        # Busy share of one core per process: near 1.0 marks the bottleneck.
        "cpu_seconds": result["cpu"],
        "cpu_share_of_one_core": {n: round(v / seconds, 2) for n, v in result["cpu"].items()},
        "rss_mb": {
            "before": before,
            "peak": result["peak"],
            "end_of_load": result["at_end"],
            "after_close": after_close,
        },
    }


if __name__ == "__main__":
    main()
