"""Does a turn cost more as its conversation grows? One long conversation, in windows.

Starts the real stack (app, Rasa, action server) on a scratch database, logs in as the
demo clerk and sends the conversation benchmark's first four messages in turn through
POST /api/v1/chat, N turns in ONE conversation. Per window of 50 turns it prints the
median and p95 latency and the CPU seconds per turn each process used (from
/proc/<pid>/stat, read before and after the window), and the ratio of the last window
to the first: 1.0 when a turn's cost does not depend on the conversation's length.

    .venv/bin/python -m bench.turn_growth [--turns 500] [--window 50]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.conversation import UNLIMITED, demo_token
from bench.full_stack import running_stack
from bench.processes import cpu
from bench.report import publish

MESSAGES = ["忘记密码怎么办", "查一下最近一张发票", "专票和普票有什么区别", "本月开票情况"]


def window_figures(latencies_ms: list[float], cpu_seconds: dict[str, float]) -> dict[str, Any]:
    """One window's median and p95 latency and each process's CPU ms per turn."""
    turns = len(latencies_ms)
    cuts = statistics.quantiles(latencies_ms, n=100, method="inclusive")
    per_turn = {name: round(seconds * 1000 / turns, 1) for name, seconds in cpu_seconds.items()}
    return {
        "p50_ms": round(cuts[49], 1),
        "p95_ms": round(cuts[94], 1),
        "cpu_ms_per_turn": {**per_turn, "total": round(sum(per_turn.values()), 1)},
    }


def ratios(first: dict[str, Any], last: dict[str, Any]) -> dict[str, float]:
    """The last window's figures over the first's."""
    return {
        "p50": round(last["p50_ms"] / first["p50_ms"], 2),
        "p95": round(last["p95_ms"] / first["p95_ms"], 2),
        **{
            f"cpu_{name}": round(value / first["cpu_ms_per_turn"][name], 2)
            for name, value in last["cpu_ms_per_turn"].items()
            if first["cpu_ms_per_turn"][name]
        },
    }


def run(turns: int, window: int) -> dict[str, Any]:
    """Start the stack once and run the conversation; the figures per window."""
    windows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as scratch, running_stack(Path(scratch), UNLIMITED) as stack:
        pids = stack.pids()
        headers = {"Authorization": f"Bearer {demo_token(stack.app_url)}"}
        with httpx.Client(base_url=stack.app_url, headers=headers, timeout=120) as client:
            # Warm-up in a conversation of its own: the first turns load caches.
            _chat(client, None, len(MESSAGES))
            conversation_id: str | None = None
            for start in range(0, turns, window):
                size = min(window, turns - start)
                before = cpu(pids)
                latencies, conversation_id = _chat(client, conversation_id, size, start)
                after = cpu(pids)
                used = {name: after[name] - before[name] for name in pids}
                figures = window_figures(latencies, used)
                windows.append({"turns": f"{start + 1}-{start + size}", **figures})
                print(windows[-1], flush=True)
    return {
        "turns": turns,
        "window": window,
        "messages": MESSAGES,
        "windows": windows,
        "last_over_first": ratios(windows[0], windows[-1]),
    }


def _chat(
    client: httpx.Client, conversation_id: str | None, turns: int, offset: int = 0
) -> tuple[list[float], str | None]:
    latencies = []
    for n in range(offset, offset + turns):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/chat",
            json={"message": MESSAGES[n % len(MESSAGES)], "conversation_id": conversation_id},
        )
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
        conversation_id = response.json()["conversation_id"]
    return latencies, conversation_id


def main() -> None:
    """Parse the options, run, publish bench/results/turn_growth.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=500)
    parser.add_argument("--window", type=int, default=50)
    args = parser.parse_args()
    publish("turn_growth", run(args.turns, args.window))


if __name__ == "__main__":
    main()
