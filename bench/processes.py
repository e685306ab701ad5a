"""The stack's processes as Linux shows them in /proc: who listens on a port, their memory."""

from __future__ import annotations

import os
import time
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"


def listening_pid(port: int) -> int | None:
    """The process with a TCP socket listening on `port`, or None."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for entry in PROC.iterdir():
        if entry.name.isdigit() and inodes & _socket_inodes(entry):
            return int(entry.name)
    return None


def parent_pid(pid: int) -> int:
    """The parent of process `pid`."""
    stat = (PROC / str(pid) / "stat").read_text()
    # The command name in brackets may hold spaces; the fields after it do not.
    return int(stat.rpartition(")")[2].split()[1])


def command_line(pid: int) -> str:
    """The command line of process `pid`, its arguments joined by spaces."""
    return (PROC / str(pid) / "cmdline").read_text().replace("\0", " ").strip()


def rss_mb(pid: int) -> float:
    """Resident memory of process `pid` in MiB (VmRSS)."""
    for line in (PROC / str(pid) / "status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def cpu_seconds(pid: int) -> float:
    """CPU time (user and system) process `pid` has used so far."""
    fields = (PROC / str(pid) / "stat").read_text().rpartition(")")[2].split()
    # utime and stime, fields 14 and 15 of stat(5), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def cpu(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds each named process has used so far."""
    return {name: cpu_seconds(pid) for name, pid in pids.items()}


def is_running(pid: int) -> bool:
    """Whether `pid` is alive (a zombie counts as gone)."""
    try:
        stat = (PROC / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_gone(pid: int, seconds: float = 10) -> bool:
    """Wait until `pid` has ended; False when it still runs after `seconds`."""
    deadline = time.monotonic() + seconds
    while is_running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    for table in ("tcp", "tcp6"):
        path = PROC / "net" / table
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rpartition(":")[2], 16)
            if local_port == port and fields[3] == LISTEN:
                inodes.add(fields[9])
    return inodes


def _socket_inodes(process: Path) -> set[str]:
    inodes: set[str] = set()
    try:
        descriptors = list((process / "fd").iterdir())
    except OSError:  # the process ended, or is not ours to look into
        return inodes
    for descriptor in descriptors:
        try:
            link = os.readlink(descriptor)
        except OSError:  # closed meanwhile
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    return inodes
