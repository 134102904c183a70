"""`python -m bench.metering`: the gateway with usage recording, demand control and rate limits
on, against the same gateway with them off, both with a valid access token on every request.

Both variants verify a JWT per request (a token per connection, as `--auth` does), so the
difference is metering alone: compiling and evaluating the cost, taking from (and giving back to)
an installation's and its app's buckets, building a usage record and sending it in batches. The
records go to a stand-in for the metrics subgraph in this process (an HTTP server that issues the
client-credentials token and counts the records it receives), so the gateway does the real work
of batching and sending.

The machine is shared and wall-clock throughput moves by ±20% from one minute to the next, so
the variants alternate (off, on, on, off, ...) over `--rounds`, and two figures are reported for
each: requests per second (median of the rounds) and the gateway process's CPU time per request
(utime + stime from /proc/<pid>/stat before and after the measured load, over the requests it
served), which another process's load changes far less. With `--redis`, the buckets live in
Redis (`REDIS_URL`) instead of the gateway's memory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import orjson
import yaml

from bench import gateways
from bench.auth import ISSUER, mint_tokens
from bench.load.generator import choose
from bench.operation import DEFAULT_OPERATION, OPERATIONS
from bench.processes import ManagedProcess, answers_post, free_port
from bench.procstats import cpu_seconds, process_tree
from bench.runner import DEFAULT_RESULTS_DIRECTORY, Settings, SubgraphFleet
from bench.validation import first_difference

RESULTS = DEFAULT_RESULTS_DIRECTORY
# Never reached in a run: the buckets are exercised, not emptied.
UNLIMITED = {"limit": 1_000_000_000, "window_seconds": 60}


@dataclass
class Round:
    variant: str
    requests: int
    requests_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    cpu_ms_per_request: float
    errors: int


@dataclass
class Stand:
    """The metrics subgraph's stand-in: JWKS, token endpoint, usage ingestion."""

    url: str
    records: list[int] = field(default_factory=lambda: [0])

    @property
    def received(self) -> int:
        return self.records[0]


@contextmanager
def stand_in(tokens_key: Any) -> Iterator[Stand]:
    jwks = json.dumps({"keys": [tokens_key.as_dict(private=False, use="sig", alg="ES256")]})
    counter = [0]
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:
            self._answer(jwks.encode())

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("content-length") or 0))
            if self.path == "/oauth/token":
                token = {"access_token": "ingest", "token_type": "Bearer", "expires_in": 900}
                self._answer(orjson.dumps(token))
                return
            records = orjson.loads(body)["variables"]["records"]
            with lock:
                counter[0] += len(records)
            self._answer(orjson.dumps({"data": {"recordUsage": {"recorded": len(records)}}}))

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Stand(f"http://127.0.0.1:{server.server_address[1]}", counter)
    finally:
        server.shutdown()
        server.server_close()


def write_configs(directory: Path, stand: Stand, redis_url: str | None) -> dict[str, Path]:
    auth = {"issuers": [{"issuer": ISSUER, "jwks_url": f"{stand.url}/.well-known/jwks.json"}]}
    limits: dict[str, Any] = {
        "enabled": True,
        "installation": {"requests": UNLIMITED, "cost": UNLIMITED},
        "app": {"requests": UNLIMITED},
    }
    if redis_url:
        limits |= {"redis_url": redis_url, "key_prefix": f"bench:ratelimit:{uuid.uuid4().hex}"}
    metered = {
        "auth": auth,
        "demand_control": {"enabled": True},
        "rate_limits": limits,
        "usage": {
            "enabled": True,
            "ingest_url": f"{stand.url}/ingest",
            "credentials": {"token_url": f"{stand.url}/oauth/token", "client_secret": "bench"},
        },
    }
    paths = {"off": directory / "off.yaml", "on": directory / "on.yaml"}
    paths["off"].write_text(yaml.safe_dump({"auth": auth}), encoding="utf-8")
    paths["on"].write_text(yaml.safe_dump(metered), encoding="utf-8")
    return paths


def check_answer(url: str, body: bytes, token: str, expected: dict[str, Any], on: bool) -> None:
    headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    answer = httpx.post(url, content=body, headers=headers, timeout=30).json()
    difference = first_difference(expected["data"], answer.get("data"))
    if difference or answer.get("errors"):
        raise SystemExit(f"wrong answer: {difference or answer['errors']}")
    if on != ("cost" in (answer.get("extensions") or {})):
        raise SystemExit(f"metering {'on' if on else 'off'} but extensions are {answer}")


def measure(
    variant: str,
    config: Path,
    supergraph: Path,
    directory: Path,
    arguments: argparse.Namespace,
    tokens: tuple[str, ...],
) -> Round:
    operation = OPERATIONS[DEFAULT_OPERATION]
    body = operation.request_body
    gateway = gateways.switchboard(supergraph, free_port(), 1, config)
    process = ManagedProcess.start(f"gateway-{variant}", gateway.command, directory)
    generator = choose("auto", directory)
    try:
        headers = {"authorization": f"Bearer {tokens[0]}"}
        process.wait_ready(answers_post(gateway.url, body, headers=headers), 90)
        check_answer(gateway.url, body, tokens[0], operation.expected_response(), variant == "on")
        generator.run(
            gateway.url,
            body,
            connections=arguments.connections,
            duration=arguments.warmup,
            tokens=tokens,
        )
        pids = process_tree(process.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in pids)
        load = generator.run(
            gateway.url,
            body,
            connections=arguments.connections,
            duration=arguments.duration,
            tokens=tokens,
        )
        cpu_after = sum(cpu_seconds(pid) for pid in pids)
    finally:
        process.stop()
    return Round(
        variant=variant,
        requests=load.requests,
        requests_per_second=round(load.requests_per_second, 1),
        latency_p50_ms=round(load.latency_p50_ms, 2),
        latency_p99_ms=round(load.latency_p99_ms, 2),
        cpu_ms_per_request=round(1000 * (cpu_after - cpu_before) / max(load.requests, 1), 3),
        errors=load.errors,
    )


def summary(rounds: list[Round]) -> dict[str, dict[str, float]]:
    result = {}
    for variant in ("off", "on"):
        mine = [r for r in rounds if r.variant == variant]
        result[variant] = {
            "requests_per_second": statistics.median(r.requests_per_second for r in mine),
            "latency_p99_ms": statistics.median(r.latency_p99_ms for r in mine),
            "cpu_ms_per_request": statistics.median(r.cpu_ms_per_request for r in mine),
        }
    off, on = result["off"], result["on"]
    result["on / off"] = {key: round(on[key] / off[key], 3) if off[key] else 0.0 for key in off}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.metering", description=__doc__)
    parser.add_argument("--rounds", type=int, default=3, help="measurements per variant (3)")
    parser.add_argument("--duration", type=float, default=15, help="measured seconds (15)")
    parser.add_argument("--warmup", type=float, default=3, help="warm-up seconds (3)")
    parser.add_argument("--connections", type=int, default=20, help="connections (20)")
    parser.add_argument("--redis", action="store_true", help="rate-limit buckets in Redis")
    arguments = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="switchboard-bench-metering-"))
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0") if arguments.redis else None
    from joserfc.jwk import ECKey

    key = ECKey.generate_key("P-256", parameters={"kid": uuid.uuid4().hex[:12]})
    tokens = mint_tokens(key, arguments.connections, lifetime=3600)
    fleet = SubgraphFleet.start(directory, Settings())
    rounds: list[Round] = []
    try:
        supergraph = fleet.write_supergraph(directory)
        with stand_in(key) as stand:
            configs = write_configs(directory, stand, redis_url)
            for number in range(arguments.rounds):
                order = ("off", "on") if number % 2 == 0 else ("on", "off")
                for variant in order:
                    result = measure(
                        variant, configs[variant], supergraph, directory, arguments, tokens
                    )
                    rounds.append(result)
                    print(json.dumps(asdict(result)), flush=True)
            received = stand.received
    finally:
        fleet.stop()
    served_on = sum(r.requests for r in rounds if r.variant == "on")
    figures = summary(rounds)
    print(json.dumps(figures, indent=2))
    # Each round also answered its checks and warm-up: at least every measured request.
    print(f"usage records received: {received} (measured requests with metering on: {served_on})")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"{stamp}-metering.json"
    path.write_text(
        json.dumps(
            {
                "arguments": vars(arguments),
                "rounds": [asdict(r) for r in rounds],
                "summary": figures,
                "usage_records_received": received,
            },
            indent=2,
        )
    )
    print(f"results written to {path}")
    return 0 if received >= served_on and all(r.errors == 0 for r in rounds) else 1


if __name__ == "__main__":
    raise SystemExit(main())
