"""CPU time and memory of running processes, read from /proc (no psutil).

CPU is reported as percent of one core over the measured window (200% is both cores of a
two-core machine), summed over a process and its descendants, so a gateway with worker processes
is measured whole.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Mapping
from pathlib import Path

_CLOCK_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    # The command name (field 2) may hold spaces and parentheses: split after its last ")".
    fields = stat[stat.rindex(")") + 2 :].split()
    user_ticks, system_ticks = int(fields[11]), int(fields[12])
    return (user_ticks + system_ticks) / _CLOCK_TICKS_PER_SECOND


def _parent_pid(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def process_tree(pid: int) -> list[int]:
    """`pid` and all its living descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            parent = _parent_pid(int(entry))
            if parent is not None:
                children.setdefault(parent, []).append(int(entry))
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending.extend(children.get(current, []))
    return tree


def memory_kib(pid: int, field: str) -> int:
    """A memory line of /proc/<pid>/status in KiB: `VmRSS` (now) or `VmHWM` (peak so far)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree_memory_kib(pid: int, field: str) -> int:
    return sum(memory_kib(member, field) for member in process_tree(pid))


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent busy since boot (the first line of /proc/stat)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(value) for value in fields]
    # user nice system idle iowait irq softirq steal ...: idle and iowait are not busy.
    busy = sum(ticks[:8]) - ticks[3] - ticks[4]
    return busy / _CLOCK_TICKS_PER_SECOND


class CpuMeter:
    """CPU percent of named process trees between `start()` and `stop()`, plus what the rest of
    the machine used meanwhile (`"other processes"`): on a shared machine that is the noise."""

    def __init__(self, roots: Mapping[str, int]) -> None:
        self._roots = dict(roots)
        self._before: dict[str, dict[int, float]] = {}
        self._machine_before = 0.0
        self._started = 0.0

    def _snapshot(self) -> dict[str, dict[int, float]]:
        return {
            name: {member: cpu_seconds(member) for member in process_tree(root)}
            for name, root in self._roots.items()
        }

    def start(self) -> None:
        self._before = self._snapshot()
        self._machine_before = machine_busy_seconds()
        self._started = time.monotonic()

    def stop(self) -> dict[str, float]:
        after = self._snapshot()
        machine_used = machine_busy_seconds() - self._machine_before
        elapsed = max(time.monotonic() - self._started, 1e-9)
        percents: dict[str, float] = {}
        for name, members in after.items():
            before = self._before.get(name, {})
            used = sum(seconds - before.get(member, 0.0) for member, seconds in members.items())
            percents[name] = round(100.0 * used / elapsed, 1)
        percents["machine"] = round(100.0 * machine_used / elapsed, 1)
        return percents


class PeakRssSampler:
    """Polls the resident memory of a process tree in a thread and keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.peak_kib = 0

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, tree_memory_kib(self._pid, "VmRSS"))
            self._stop.wait(self._interval)

    def __enter__(self) -> PeakRssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exception: object) -> None:
        self._stop.set()
        self._thread.join()
