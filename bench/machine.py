"""Notes on the machine a run measured on, printed and stored with every result."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from pathlib import Path
from typing import Any


def machine_notes() -> dict[str, Any]:
    return {
        "cpu_model": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": _node_version(),
        # Other work on a shared machine shows here (and as "other processes" CPU in a run).
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def _node_version() -> str | None:
    if shutil.which("node") is None:
        return None
    completed = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    return completed.stdout.strip() or None
