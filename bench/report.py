"""What every benchmark prints and keeps: its figures, the machine and the date."""

from __future__ import annotations

import json
import os
import platform
import statistics
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict[str, Any]:
    """The facts about this machine that the figures depend on."""
    memory_kb = 0
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        memory_kb = int(meminfo.read_text().split("MemTotal:")[1].split()[0])
    return {
        "cpus": os.cpu_count(),
        "cpu": platform.processor() or platform.machine(),
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        # Other work on the machine skews timings; the 1-minute load shows how quiet it was.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def percentiles(samples_ms: list[float]) -> dict[str, float]:
    """p50, p95 and p99 of latencies in milliseconds."""
    cuts = statistics.quantiles(samples_ms, n=100, method="inclusive")
    return {
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
    }


def publish(name: str, figures: dict[str, Any]) -> None:
    """Print the figures with the machine and date, and write bench/results/NAME.json."""
    record = {
        "benchmark": name,
        "date": datetime.now(UTC).isoformat(),
        "machine": machine(),
        **figures,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(record, ensure_ascii=False, indent=2))
    print(json.dumps(record, ensure_ascii=False, indent=2))
