"""What the knowledge benchmarks add to bench.report's machine facts.

The CPU's model name and the load average at the time: this 2-core machine is
shared, and a busy neighbour can double a latency, so the load goes with the
figures.
"""

from __future__ import annotations

import os
import resource
from pathlib import Path


def context(model: str) -> dict[str, object]:
    """The embedding model, the CPU model name and the 1-minute load average."""
    cpu = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in cpuinfo.read_text().splitlines()
                if line.startswith("model name")
            ),
            "",
        )
    return {
        "embedding_model": model,
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu,
        "load_average_1m": round(os.getloadavg()[0], 2),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory so far, in MB.

    VmHWM starts afresh with exec; ru_maxrss would carry over the parent's peak
    at fork time (here: the building process with torch loaded).
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
