"""`python -m bench.engine`: the in-process CPU measurement runs the benchmark operation
through the pipeline over the real subgraph processes, with dedup off and on, and checks every
answer. No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_engine_measures_cpu_per_request_with_dedup_off_and_on(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.engine", "--requests", "20", "--warmup", "5"]
    command += ["--concurrency", "5", "--rounds", "1", "--profile", str(tmp_path)]
    completed = subprocess.run(
        command, cwd=REPOSITORY, capture_output=True, text=True, timeout=280, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    lines = [line for line in completed.stdout.splitlines() if "CPU ms/req" in line]
    assert [line.split(" dedup ")[1].split(":")[0] for line in lines] == ["off", "on"]
    assert all("wrong 0" in line for line in lines)
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "tree0-dedup-off-0.prof",
        "tree0-dedup-on-0.prof",
    ]
