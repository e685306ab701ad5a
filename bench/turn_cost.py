"""A turn's CPU in the app, Rasa and the action server: this checkout against an older commit.

Runs the conversation benchmark's paced level (10 conversations over POST /api/v1/chat,
0.5-1.5 s between an answer and the next message) on the stack of an older commit
(bench/baseline.py: its own code, bot project, trained model and knowledge index, on
this checkout's environments) and on this checkout's, one stack at a time in the same
invocation, and prints each one's CPU ms per turn per process (/proc), its p50 and p95,
and the current figures over the older commit's. Rounds alternate which stack runs
first, and figures are their mean, so a machine getting busier or quieter weighs on both.

    .venv/bin/python -m bench.turn_cost [--against 92c6aa6] [--rounds 2] [--paced-turns 30]

92c6aa6 is main when issue 20 ("half of today's main") was filed. Its Rasa model is
trained on the first run (a few minutes) and kept in var/bench-baselines/.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path
from typing import Any

from bench import baseline
from bench.conversation import UNLIMITED, paced, warmed_up
from bench.full_stack import running_stack
from bench.report import publish
from bench.stack import ROOT

ISSUE_20_MAIN = "92c6aa6"


def measure(root: Path, turns: int) -> dict[str, Any]:
    """The paced level on the stack of the checkout at `root`: CPU per turn, p50, p95."""
    with (
        tempfile.TemporaryDirectory() as scratch,
        running_stack(Path(scratch), UNLIMITED, root) as stack,
    ):
        figures = paced(stack, warmed_up(stack), turns)
    cpu: dict[str, float] = figures["cpu_ms_per_turn"]  # type: ignore[assignment]
    return {
        "cpu_ms_per_turn": {**cpu, "total": round(sum(cpu.values()), 1)},
        "p50_ms": figures["p50_ms"],
        "p95_ms": figures["p95_ms"],
        "turns_per_second": figures["turns_per_second"],
    }


def mean(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs' figures averaged, key by key."""
    first = runs[0]
    return {
        key: mean([run[key] for run in runs])
        if isinstance(first[key], dict)
        else round(statistics.fmean(run[key] for run in runs), 1)
        for key in first
    }


def over(current: dict[str, Any], older: dict[str, Any]) -> dict[str, float]:
    """Each CPU figure and the latencies of `current` over those of `older`."""
    cpu = current["cpu_ms_per_turn"]
    return {
        **{
            f"cpu_{name}": round(value / older["cpu_ms_per_turn"][name], 2)
            for name, value in cpu.items()
            if older["cpu_ms_per_turn"][name]
        },
        "p50": round(current["p50_ms"] / older["p50_ms"], 2),
        "p95": round(current["p95_ms"] / older["p95_ms"], 2),
    }


def run(against: str, rounds: int, turns: int) -> dict[str, Any]:
    """Both stacks, `rounds` times each, alternating which goes first."""
    older_root = baseline.checkout(against)
    differences = baseline.environment_differences(older_root)
    if differences:
        print(f"{against} pins what this checkout's environments do not: {differences}")
    stacks = {"older": older_root, "current": ROOT}
    runs: dict[str, list[dict[str, Any]]] = {"older": [], "current": []}
    for number in range(rounds):
        order = ["older", "current"] if number % 2 == 0 else ["current", "older"]
        for name in order:
            runs[name].append(measure(stacks[name], turns))
            print(name, runs[name][-1], flush=True)
    older, current = mean(runs["older"]), mean(runs["current"])
    return {
        "against": baseline.commit_of(against),
        "current": f"{baseline.commit_of('HEAD')} and the working tree's changes",
        "paced_turns_per_conversation": turns,
        "rounds": rounds,
        "environment_differences": differences,
        "older_stack": older,
        "current_stack": current,
        "current_over_older": over(current, older),
        "runs": runs,
    }


def main() -> None:
    """Parse the options, run, publish bench/results/turn_cost.json."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--against", default=ISSUE_20_MAIN, help="the older commit")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--paced-turns", type=int, default=30)
    args = parser.parse_args()
    publish("turn_cost", run(args.against, args.rounds, args.paced_turns))


if __name__ == "__main__":
    main()
