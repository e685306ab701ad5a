"""CPU of one knowledge search, this tree's code against a baseline commit's, in one run.

Worker processes, each importing its own `knowledge` package (the baseline's, taken
with `git archive`, and this tree's, as configured and once more with the int8 encoder,
KNOWLEDGE_INT8=true, to show what it would add) over an index its own code built of
knowledge/entries, answer the held-out questions in interleaved blocks (A, B, C, A, B,
C, …), so the machine's load falls on all alike. A search is followed by `--gap` seconds
of idling, as the app's searches are spaced by the rest of a turn, and the process's CPU
time (every thread's) is counted over the search and the gap: work a library's threads
do after the call (spinning, waking) is part of a search's cost.

    .venv/bin/python -m bench.knowledge_cpu [--baseline HEAD] [--blocks 8] [--per-block 15]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELDOUT = ROOT / "bench" / "data" / "knowledge_heldout.jsonl"
WORK = ROOT / "var" / "bench-knowledge-cpu"


def worker(index: Path, gap: float) -> None:
    """Build (when stale) and load the index, then answer "N" lines: N searches, each
    followed by `gap` s of idling; print the CPU and wall ms per search as JSON."""
    from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index

    settings = KnowledgeSettings(knowledge_source=ROOT / "knowledge" / "entries")
    ensure_index(settings, folder=index)
    base = KnowledgeBase.load(settings, index)
    questions = [json.loads(line)["question"] for line in HELDOUT.read_text().splitlines()]
    for question in questions[:10]:  # warm up
        base.search(question, 3)
    asked = 0
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        count = int(line)
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(count):
            base.search(questions[asked % len(questions)], 3)
            asked += 1
            time.sleep(gap)
        cpu_ms = (time.process_time() - cpu) * 1000 / count
        wall_ms = ((time.perf_counter() - wall) - gap * count) * 1000 / count
        print(json.dumps({"cpu_ms": cpu_ms, "wall_ms": wall_ms}), flush=True)


def baseline_tree(ref: str) -> tuple[Path, str]:
    """The baseline's `knowledge` package under WORK/<commit>, and the commit."""
    commit = _git("rev-parse", "--verify", f"{ref}^{{commit}}").decode().strip()
    tree = WORK / commit
    if not (tree / "knowledge" / "__init__.py").is_file():
        archive = _git("archive", commit, "knowledge")  # changes nothing in the repository
        tree.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
    return tree, commit


def _git(*arguments: str) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise RuntimeError("git is not installed: the baseline commit cannot be read")
    return subprocess.run([git, *arguments], cwd=ROOT, capture_output=True, check=True).stdout


class Worker:
    """One worker process on the `knowledge` package found under `code`."""

    def __init__(self, code: Path, index: Path, gap: float, **settings: str) -> None:
        env = {**os.environ, **settings, "PYTHONPATH": f"{code}{os.pathsep}{ROOT}"}
        command = [sys.executable, str(Path(__file__)), "--worker", str(index), str(gap)]
        # The script's own folder, not ROOT, is first on sys.path: `knowledge` is the code's.
        self._process = subprocess.Popen(
            command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self._read()

    def block(self, count: int) -> dict[str, float]:
        """Run `count` searches; their mean CPU and wall ms."""
        assert self._process.stdin is not None
        self._process.stdin.write(f"{count}\n")
        self._process.stdin.flush()
        return self._read()

    def _read(self) -> dict[str, float]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError("the worker exited")
        answer: dict[str, float] = json.loads(line)
        return answer

    def close(self) -> None:
        """End the worker."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        self._process.wait(timeout=60)


def main() -> None:
    """Interleave the two workers' blocks and print CPU per search, and the ratio."""
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(Path(sys.argv[2]), float(sys.argv[3]))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="HEAD", help="the commit to compare with")
    parser.add_argument("--blocks", type=int, default=8, help="blocks of each, interleaved")
    parser.add_argument("--per-block", type=int, default=15, help="searches per block")
    parser.add_argument("--gap", type=float, default=0.2, help="idle seconds after a search")
    arguments = parser.parse_args()
    from bench.knowledge_context import context
    from bench.report import publish

    tree, commit = baseline_tree(arguments.baseline)
    workers = {
        "baseline": Worker(tree, WORK / f"index-{commit}", arguments.gap),
        "current": Worker(ROOT, WORK / "index-current", arguments.gap),
        # With the int8 encoder (off by default: bench.knowledge_int8): what it would add.
        "current_int8": Worker(ROOT, WORK / "index-int8", arguments.gap, KNOWLEDGE_INT8="true"),
    }
    blocks: dict[str, list[dict[str, float]]] = {name: [] for name in workers}
    for _ in range(arguments.blocks):
        for name, process in workers.items():
            blocks[name].append(process.block(arguments.per_block))
    for process in workers.values():
        process.close()
    figures = {
        name: {
            "cpu_ms_per_search": round(statistics.median(b["cpu_ms"] for b in runs), 2),
            "wall_ms_per_search": round(statistics.median(b["wall_ms"] for b in runs), 2),
        }
        for name, runs in blocks.items()
    }
    baseline = figures["baseline"]["cpu_ms_per_search"]
    ratios = {
        name: round(figure["cpu_ms_per_search"] / baseline, 3) for name, figure in figures.items()
    }
    print(
        f"baseline {commit[:10]} vs this tree; {arguments.blocks} blocks of "
        f"{arguments.per_block} searches each, interleaved, {arguments.gap} s after each"
    )
    for name, figure in figures.items():
        print(
            f"{name:14} CPU {figure['cpu_ms_per_search']:7.2f} ms/search "
            f"({ratios[name]:.2f} of the baseline's)   "
            f"wall {figure['wall_ms_per_search']:7.2f} ms (median of blocks)"
        )
    publish(
        "knowledge_cpu",
        {
            **context("m3e-small"),
            "baseline": commit,
            "gap_seconds": arguments.gap,
            **figures,
            "cpu_ratio_to_baseline": ratios,
        },
    )


if __name__ == "__main__":
    main()
