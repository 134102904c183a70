"""Reading wrk's results: the Lua script's summary line, not wrk's human output."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.load.wrk import parse_output, write_script

WRK_OUTPUT = """Running 2s test @ http://127.0.0.1:4000/graphql
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    10.00ms    1.00ms  30.00ms   90.00%
  400 requests in 2.00s, 17.10MB read
BENCH_RESULT {"requests":400,"duration_us":2000000,"p50_us":9500,"p95_us":15000,"p99_us":25000,"max_us":30000,"bad_status":2,"graphql_errors":1,"transport_errors":3}
Requests/sec:    200.00
"""  # noqa: E501


def test_the_summary_line_gives_throughput_percentiles_and_errors() -> None:
    result = parse_output(WRK_OUTPUT, 1.5, connections=50)
    assert result.generator == "wrk"
    assert result.requests_per_second == 200.0
    assert (result.latency_p50_ms, result.latency_p95_ms, result.latency_p99_ms) == (
        9.5, 15.0, 25.0,
    )  # fmt: skip
    assert result.errors == 6
    assert result.generator_cpu_seconds == 1.5


def test_output_without_a_summary_is_an_error() -> None:
    with pytest.raises(ValueError, match="no result line"):
        parse_output("unable to connect to 127.0.0.1:4000 Connection refused", connections=50)


def test_the_script_embeds_the_body_verbatim(tmp_path: Path) -> None:
    body = b'{"query":"{ a(b: \\"c]]\\") }"}'
    script = write_script(body, tmp_path).read_text()
    assert "wrk.body = [==========[" + body.decode() + "]==========]" in script
    assert 'wrk.method = "POST"' in script
