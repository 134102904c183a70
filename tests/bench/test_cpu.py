"""`python -m bench.cpu`, tiny: every variant answers the benchmark operation correctly in
process (a wrong answer stops the run), and each gets a figure. No timing is asserted."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
@pytest.mark.timeout(300)
def test_every_variant_is_measured(tmp_path: Path) -> None:
    completed = subprocess.run(
        [
            *(sys.executable, "-m", "bench.cpu"),
            *("--rounds", "1", "--requests", "4", "--concurrency", "2"),
            *("--profile", str(tmp_path)),
        ],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    summary = completed.stdout.split("variant     median")[1]
    for variant in ("plain", "dedup", "collapse", "jwt", "jwt+dedup", "metered"):
        assert f"\n{variant} " in summary
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "collapse.pstats",
        "dedup.pstats",
        "jwt-dedup.pstats",
        "jwt.pstats",
        "metered.pstats",
        "plain.pstats",
    ]
