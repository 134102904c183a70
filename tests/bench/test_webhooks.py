"""`python -m bench.webhooks` on a tiny load: the harness runs both measurements and every
delivery arrives once. No timing is asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.conftest import REDIS_URL, unavailable

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.e2e
@pytest.mark.timeout(180)
def test_webhook_bench_measures_throughput_and_delay(tmp_path: Path) -> None:
    try:
        redis.Redis.from_url(REDIS_URL).ping()
    except (OSError, redis.RedisError) as error:
        unavailable("Redis", error)
    command = [sys.executable, "-m", "bench.webhooks", "--results-dir", str(tmp_path)]
    command += ["--deliveries", "40", "--mutations", "12", "--rate", "40"]
    completed = subprocess.run(
        command, cwd=REPOSITORY, capture_output=True, text=True, timeout=170, check=False
    )
    assert completed.returncode == 0, completed.stdout[-4000:] + completed.stderr[-4000:]
    (path,) = tmp_path.glob("*-webhooks.json")
    results = json.loads(path.read_text())
    assert results["throughput"]["received"] == 40
    assert results["throughput"]["deliveries_per_second"] > 0
    delay = results["commit_to_delivery"]
    assert delay["delivered"] == 12
    assert 0 < delay["p50_ms"] <= delay["p99_ms"] <= delay["max_ms"]
