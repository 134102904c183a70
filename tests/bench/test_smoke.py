"""`python -m bench --smoke` against the real `switchboard serve`: the harness measures the
engine and the engine answers the benchmark operation correctly under (tiny) load.

No timing is asserted; a failure here means the gateway did not start, answered wrongly, or
returned errors, and the output says which.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_smoke_run_measures_switchboard(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--results-dir", str(tmp_path)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    (path,) = tmp_path.glob("*-smoke.json")
    (run,) = orjson.loads(path.read_bytes())["runs"]
    assert run["gateway"] == "switchboard"
    assert run["succeeded"] is True
    assert run["load"]["requests"] > 0
    # Read from the gateway's /metrics before and after the window (bench/collector.py).
    assert len(run["gc_collections_by_generation"]) == 3
