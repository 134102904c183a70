"""Drive wrk with a Lua script that POSTs the operation and counts bad answers.

wrk's latency histogram gives the percentiles; the script's `done` prints them with the counts as
one JSON line, which is parsed here rather than wrk's human summary.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import orjson

from bench.load.result import LoadResult

INSTALL_HINT = "apt-get install -y wrk"
_RESULT_PREFIX = "BENCH_RESULT "

_SCRIPT = r"""
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==========[%(body)s]==========]

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad_status = 0
  graphql_errors = 0
end

function response(status, headers, body)
  if status ~= 200 then
    bad_status = bad_status + 1
  elseif string.find(body, '"errors"', 1, true) then
    graphql_errors = graphql_errors + 1
  end
end

%(tokens)s

function done(summary, latency, requests)
  local bad, errors = 0, 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("bad_status")
    errors = errors + thread:get("graphql_errors")
  end
  local transport = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format(
    '%(prefix)s{"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p95_us":%%d,"p99_us":%%d,'
    .. '"max_us":%%d,"bad_status":%%d,"graphql_errors":%%d,"transport_errors":%%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, bad, errors, transport))
end
"""


def wrk_path() -> str | None:
    return shutil.which("wrk")


def wrk_version() -> str:
    path = wrk_path()
    if path is None:
        return "wrk (missing)"
    completed = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"wrk (\S+)", completed.stdout + completed.stderr)
    return f"wrk {match.group(1)}" if match else "wrk"


# With tokens, each request carries the next one: no two requests in a row share a token.
_TOKENS = r"""
local tokens = {%s}
local next_token = 0

function request()
  next_token = next_token %% #tokens + 1
  wrk.headers["Authorization"] = "Bearer " .. tokens[next_token]
  return wrk.format()
end
"""


def write_script(body: bytes, directory: Path, tokens: tuple[str, ...] = ()) -> Path:
    text = body.decode()
    if "]==========]" in text:
        raise ValueError("the request body cannot be embedded in a Lua long string")
    token_code = _TOKENS % ", ".join(f'"{token}"' for token in tokens) if tokens else ""
    path = directory / "bench.lua"
    path.write_text(
        _SCRIPT % {"body": text, "prefix": _RESULT_PREFIX, "tokens": token_code},
        encoding="utf-8",
    )
    return path


def parse_output(output: str, cpu_seconds: float = 0.0, *, connections: int) -> LoadResult:
    """The result line the script's `done` printed; ValueError when there is none."""
    for line in output.splitlines():
        if line.startswith(_RESULT_PREFIX):
            fields = orjson.loads(line[len(_RESULT_PREFIX) :])
            break
    else:
        raise ValueError(f"wrk printed no result line:\n{output}")
    duration = fields["duration_us"] / 1e6
    return LoadResult(
        generator="wrk",
        duration_seconds=round(duration, 3),
        connections=connections,
        requests=fields["requests"],
        requests_per_second=round(fields["requests"] / duration, 1) if duration else 0.0,
        latency_p50_ms=fields["p50_us"] / 1000,
        latency_p95_ms=fields["p95_us"] / 1000,
        latency_p99_ms=fields["p99_us"] / 1000,
        latency_max_ms=fields["max_us"] / 1000,
        non_200_responses=fields["bad_status"],
        graphql_error_responses=fields["graphql_errors"],
        transport_errors=fields["transport_errors"],
        generator_cpu_seconds=round(cpu_seconds, 2),
    )


def run_wrk(
    url: str,
    body: bytes,
    *,
    connections: int,
    duration: float,
    work_directory: Path,
    tokens: tuple[str, ...] = (),
) -> LoadResult:
    path = wrk_path()
    if path is None:
        raise RuntimeError(f"wrk is not installed ({INSTALL_HINT})")
    script = write_script(body, work_directory, tokens)
    command = [
        path,
        # One thread: wrk's event loop easily outpaces any gateway here, and the second core
        # is better left to the processes under test.
        "--threads", "1",
        "--connections", str(connections),
        "--duration", f"{max(1, round(duration))}s",
        "--timeout", "10s",
        "--script", str(script),
        url,
    ]  # fmt: skip
    return parse_output(*run_measuring_cpu(command), connections=connections)


def run_measuring_cpu(command: list[str]) -> tuple[str, float]:
    """Run a generator to completion: its output and the CPU seconds it used."""
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT) as process:
        assert process.stdout is not None
        output = process.stdout.read().decode(errors="replace")
        # wait4 rather than wait: it also reports the child's resource usage.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    return output, usage.ru_utime + usage.ru_stime
