"""Speed of the knowledge search at 10,000 entries: build time, query latency, memory.

Synthetic entries combine the real entries' phrasings, tags and answer
sentences, so words, lengths and overlaps look like a real knowledge base.
The queries are measured in a fresh process holding only the model and the
index, whose peak resident memory is reported.

    .venv/bin/python -m bench.knowledge_speed [--entries 10000] [--embed-answers]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.knowledge_context import context, peak_rss_mb
from bench.report import publish
from knowledge import KnowledgeBase, KnowledgeSettings, ensure_index, load_entries
from knowledge.entry import Entry

ROOT = Path(__file__).resolve().parent.parent
DEV_OOD = ROOT / "bench" / "data" / "knowledge_dev_ood.txt"
OPENINGS = ["", "", "请问", "我们公司", "财务这边", "分公司", "新同事问"]
CONTEXTS = ["", "", "", "，{tag}相关", "（{tag}）", "，涉及{tag}", "，{tag}的情况下"]


def synthetic_entries(real: list[Entry], count: int, seed: int = 7) -> list[dict[str, object]]:
    """`count` distinct entries, each 2 phrasings and an answer mixed from real entries."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    sentences = [s for e in real for s in re.split(r"(?<=[。；\n])", e.answer) if len(s) > 6]
    tags = sorted({t for e in real for t in e.tags})
    seen: set[str] = set()
    made: list[dict[str, object]] = []
    while len(made) < count:
        entry = rng.choice(real)

        def phrase(entry: Entry = entry) -> str:
            context = rng.choice(CONTEXTS).format(tag=rng.choice(tags))
            return f"{rng.choice(OPENINGS)}{rng.choice(entry.phrasings).rstrip('？?')}{context}"

        question = phrase()
        if question in seen:
            continue
        seen.add(question)
        answer = "".join([entry.answer.split("\n")[0], *rng.sample(sentences, 2)])
        made.append(
            {
                "id": f"syn.{len(made):05d}",
                "question": question,
                "questions": [phrase()],
                "answer": answer,
            }
        )
    return made


def queries(real: list[Entry], count: int, seed: int = 11) -> list[str]:
    """Questions like users ask: real phrasings with a context, and out-of-domain ones."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    ood = [
        q for q in DEV_OOD.read_text(encoding="utf-8").splitlines() if q and not q.startswith("#")
    ]
    asked = []
    for _ in range(count):
        if rng.random() < 0.2:
            asked.append(rng.choice(ood))
        else:
            entry = rng.choice(real)
            asked.append(rng.choice(OPENINGS) + rng.choice(entry.phrasings))
    return asked


def measure(folder: Path, count: int) -> dict[str, float]:
    """In this (fresh) process: load the index, time `count` searches, report memory."""
    started = time.perf_counter()
    base = KnowledgeBase.load(KnowledgeSettings(), folder)
    load_seconds = time.perf_counter() - started
    asked = queries(load_entries(ROOT / "knowledge" / "entries"), count + 20)
    for question in asked[:20]:  # warm-up: first calls allocate
        base.search(question, 5)
    latencies, cpu = [], []
    for question in asked[20:]:
        started, started_cpu = time.perf_counter(), time.process_time()
        base.search(question, 5)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "load_seconds": round(load_seconds, 2),
        "queries": len(latencies),
        "latency_p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "latency_p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "latency_max_ms": round(float(np.max(latencies)), 2),
        # CPU time of all the process's threads: what a query costs, whatever the neighbours do.
        "cpu_per_query_p50_ms": round(float(np.percentile(cpu, 50)), 2),
        "cpu_per_query_p95_ms": round(float(np.percentile(cpu, 95)), 2),
        "load_average_during_queries": round(os.getloadavg()[0], 2),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def _serve(folder: Path, count: int, quiet_load: float) -> dict[str, float]:
    """Measure the queries in a fresh process holding only the model and the index."""
    deadline = time.monotonic() + 600
    while quiet_load and os.getloadavg()[0] >= quiet_load and time.monotonic() < deadline:
        time.sleep(10)
    child = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.knowledge_speed",
            "--measure",
            str(folder),
            "--queries",
            str(count),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    served: dict[str, float] = json.loads(child.stdout.strip().splitlines()[-1])
    return served


def main() -> None:
    """Build the synthetic index, then measure queries in a fresh process."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--embed-answers", action="store_true", help="also embed every answer")
    parser.add_argument("--index", type=Path, help="measure queries on this index, no build")
    parser.add_argument(
        "--quiet-load",
        type=float,
        default=0.0,
        help="before the queries, wait (up to 10 min) for a 1-min load below this",
    )
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.measure:
        print(json.dumps(measure(arguments.measure, arguments.queries)))
        return
    if arguments.index:
        served = _serve(arguments.index, arguments.queries, arguments.quiet_load)
        publish("knowledge_speed_queries", {**context("m3e-small"), **served})
        return
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "synthetic.jsonl"
        real = load_entries(ROOT / "knowledge" / "entries")
        lines = [
            json.dumps(e, ensure_ascii=False) for e in synthetic_entries(real, arguments.entries)
        ]
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        settings = KnowledgeSettings(
            knowledge_source=source,
            knowledge_index_dir=Path(scratch) / "index",
            knowledge_embed_answers=arguments.embed_answers,
        )
        started = time.perf_counter()
        manifest = ensure_index(settings).manifest
        build_seconds = time.perf_counter() - started
        served = _serve(settings.knowledge_index_dir, arguments.queries, arguments.quiet_load)
    figures = {
        **context(settings.knowledge_model),
        "entries": manifest.entries,
        "phrasings": manifest.phrasings,
        "answer_vectors": manifest.answer_vectors,
        "vector_index": manifest.vector_index,
        "build_seconds": round(build_seconds, 1),
        **served,
    }
    for name, value in figures.items():
        print(f"{name:18} {value}")
    print(
        "targets: p50 < 15 ms ({}), p95 < 30 ms ({}), build < 180 s ({}), "
        "memory < 1024 MB ({})".format(
            *(
                "met" if ok else "MISSED"
                for ok in (
                    served["latency_p50_ms"] < 15,
                    served["latency_p95_ms"] < 30,
                    build_seconds < 180,
                    served["peak_rss_mb"] < 1024,
                )
            )
        )
    )
    publish("knowledge_speed", figures)


if __name__ == "__main__":
    main()
