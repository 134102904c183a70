"""`python -m bench.subscriptions`: how many websocket subscribers one gateway process holds
with events published at a fixed rate, publish-to-delivery p99 under 100 ms, and its memory
per subscriber.

Three kinds of process on this machine:

- an **event subgraph** (`python -m bench.subscriptions subgraph --port P --rate R`): a
  Strawberry federation schema with `Subscription.ticks: Tick!`; every `1/R` s it publishes a
  tick stamped with the time it was published (`sentAt`, this machine's clock) to every open
  subscription;
- **the gateway** under test (`switchboard serve`, one process), over a supergraph composed from
  that subgraph, connections unlimited;
- **subscribers** (`python -m bench.subscriptions clients`, `--client-processes` of them):
  graphql-transport-ws over the `websockets` library, each connection subscribing to
  `ticks { id sentAt }`; per delivered event, the delay is arrival time minus `sentAt`.

For each N in `--steps` (ascending), N subscribers connect (and the gateway opens N upstream
subscriptions on its pooled websockets); once every one received an event, delays are recorded
for `--seconds`; then they disconnect. The run stops at the first N whose p99 exceeds 100 ms or
that loses events. The gateway's RSS is read with no subscriber and at the end of each step's
window; per-subscriber memory is the difference over N.

Results print and go to `bench/results/<UTC time>-subscriptions.json`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from bench.procstats import memory_kib

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SWITCHBOARD = Path(sys.executable).parent / "switchboard"
TICKS = "subscription { ticks { id sentAt } }"
P99_BUDGET_MS = 100.0


# The event subgraph.


@strawberry.type
class Tick:
    id: strawberry.ID
    sent_at: float


class Ticker:
    """Publishes a tick to every open subscription, `rate` times a second."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.latest: Tick | None = None
        self.changed = asyncio.Condition()

    async def publish(self) -> None:
        number = 0
        while True:
            await asyncio.sleep(1 / self.rate)
            number += 1
            self.latest = Tick(id=strawberry.ID(str(number)), sent_at=time.time())
            async with self.changed:
                self.changed.notify_all()


@strawberry.type
class Query:
    @strawberry.field
    def rate(self, info: strawberry.Info) -> float:
        ticker: Ticker = info.context["ticker"]
        return ticker.rate


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(
        self, info: strawberry.Info, after: strawberry.ID | None = None
    ) -> AsyncGenerator[Tick, None]:
        ticker: Ticker = info.context["ticker"]
        while True:
            async with ticker.changed:
                await ticker.changed.wait()
            assert ticker.latest is not None
            yield ticker.latest


class TickerView(GraphQL[dict[str, Any], None]):
    def __init__(self, ticker: Ticker) -> None:
        super().__init__(Schema(query=Query, subscription=Subscription))
        self.ticker = ticker

    async def get_context(self, request: Any, response: Any) -> dict[str, Any]:
        return {"ticker": self.ticker}


def subgraph_app(rate: float) -> Starlette:
    ticker = Ticker(rate)
    view = TickerView(ticker)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        publisher = asyncio.create_task(ticker.publish())
        yield
        publisher.cancel()

    return Starlette(
        routes=[Route("/graphql", view), WebSocketRoute("/graphql", view)], lifespan=lifespan
    )


def serve_subgraph(port: int, rate: float) -> None:
    import uvicorn

    uvicorn.run(subgraph_app(rate), host="127.0.0.1", port=port, log_level="warning")


# Subscribers.


async def subscriber(
    url: str, delays: list[float], counting: list[bool], first: asyncio.Event
) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, subprotocols=["graphql-transport-ws"], max_queue=None) as ws:  # type: ignore[list-item]
        await ws.send('{"type":"connection_init"}')
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": TICKS}}))
        async for raw in ws:
            message = json.loads(raw)
            if message.get("type") == "ping":
                await ws.send('{"type":"pong"}')
                continue
            if message.get("type") != "next":
                return
            first.set()
            if counting[0]:
                sent = message["payload"]["data"]["ticks"]["sentAt"]
                delays.append(time.time() - sent)


async def run_clients(url: str, count: int, seconds: float, report: Path) -> None:
    """`count` subscribers; prints "ready" once each got an event, measures when told on
    stdin ("go"), writes the delays to `report` after `seconds`."""
    delays: list[float] = []
    counting = [False]
    firsts = [asyncio.Event() for _ in range(count)]
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(subscriber(url, delays, counting, firsts[index])))
        if index % 200 == 199:
            await asyncio.sleep(0.05)  # a ramp, not a connection storm
    await asyncio.wait_for(asyncio.gather(*(event.wait() for event in firsts)), 300)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    counting[0] = True
    await asyncio.sleep(seconds)
    counting[0] = False
    await asyncio.to_thread(report.write_text, json.dumps(delays))
    print("done", flush=True)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


# The run.


def compose_supergraph(subgraph_url: str, directory: Path) -> Path:
    from gateway.composition.compose import compose
    from gateway.composition.errors import CompositionSuccess, SubgraphDefinition

    sdl = httpx.post(subgraph_url, json={"query": "{ _service { sdl } }"}).json()
    result = compose([SubgraphDefinition("ticks", subgraph_url, sdl["data"]["_service"]["sdl"])])
    if not isinstance(result, CompositionSuccess):
        raise RuntimeError(f"composition failed: {result!r}")
    path = directory / "supergraph.graphql"
    path.write_text(result.supergraph_sdl)
    return path


def wait_up(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code < 500:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(url)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def step(
    gateway_pid: int,
    ws_url: str,
    count: int,
    processes: int,
    seconds: float,
    directory: Path,
    rate: float,
) -> dict[str, Any]:
    shares = [
        count // processes + (1 if index < count % processes else 0) for index in range(processes)
    ]
    clients = []
    for index, share in enumerate(s for s in shares if s):
        report = directory / f"delays-{count}-{index}.json"
        clients.append(
            (
                subprocess.Popen(
                    [sys.executable, "-m", "bench.subscriptions", "clients", "--url", ws_url,
                     "--count", str(share), "--seconds", str(seconds), "--report", str(report)],
                    cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                ),
                report,
            )
        )  # fmt: skip
    started = time.monotonic()
    for process, _ in clients:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("a subscriber process failed to subscribe")
    ramp = time.monotonic() - started
    for process, _ in clients:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    time.sleep(seconds * 0.9)
    rss_kib = memory_kib(gateway_pid, "VmRSS")
    delays: list[float] = []
    for process, report in clients:
        assert process.stdout is not None
        process.stdout.readline()
        delays += json.loads(report.read_text())
        process.wait(timeout=60)
    expected = int(count * seconds * rate)
    milliseconds = [delay * 1000 for delay in delays]
    return {
        "subscribers": count,
        "connect_seconds": round(ramp, 1),
        "events_delivered": len(delays),
        "events_expected_about": expected,
        "p50_ms": round(percentile(milliseconds, 0.50), 1) if delays else None,
        "p99_ms": round(percentile(milliseconds, 0.99), 1) if delays else None,
        "max_ms": round(max(milliseconds), 1) if delays else None,
        "mean_ms": round(statistics.fmean(milliseconds), 1) if delays else None,
        "gateway_rss_kib": rss_kib,
    }


def run(arguments: argparse.Namespace) -> int:
    directory = Path(tempfile.mkdtemp(prefix="bench-subscriptions-"))
    subgraph_port, gateway_port = arguments.subgraph_port, arguments.gateway_port
    subgraph_url = f"http://127.0.0.1:{subgraph_port}/graphql"
    subgraph = subprocess.Popen(
        [sys.executable, "-m", "bench.subscriptions", "subgraph",
         "--port", str(subgraph_port), "--rate", str(arguments.rate)],
        cwd=ROOT,
    )  # fmt: skip
    gateway = None
    results: dict[str, Any] = {
        "rate_per_second": arguments.rate,
        "seconds_per_step": arguments.seconds,
        "client_processes": arguments.client_processes,
        "steps": [],
    }
    try:
        wait_up(subgraph_url)
        supergraph = compose_supergraph(subgraph_url, directory)
        config = directory / "switchboard.yaml"
        config.write_text(
            "server:\n  max_connections: null\ntelemetry:\n  logging:\n    level: warning\n"
        )
        gateway = subprocess.Popen(
            [str(SWITCHBOARD), "serve", "--supergraph", str(supergraph), "--config", str(config),
             "--port", str(gateway_port)],
            cwd=ROOT,
        )  # fmt: skip
        wait_up(f"http://127.0.0.1:{gateway_port}/health")
        results["gateway_idle_rss_kib"] = idle = memory_kib(gateway.pid, "VmRSS")
        ws_url = f"ws://127.0.0.1:{gateway_port}/graphql"
        for count in arguments.steps:
            outcome = step(
                gateway.pid,
                ws_url,
                count,
                min(arguments.client_processes, count),
                arguments.seconds,
                directory,
                arguments.rate,
            )
            outcome["rss_per_subscriber_kib"] = round(
                (outcome["gateway_rss_kib"] - idle) / count, 1
            )
            results["steps"].append(outcome)
            print(json.dumps(outcome), flush=True)
            held = (
                outcome["p99_ms"] is not None
                and outcome["p99_ms"] < P99_BUDGET_MS
                and outcome["events_delivered"] >= 0.9 * outcome["events_expected_about"]
            )
            if not held:
                break
            results["largest_held"] = count
    finally:
        for process in (gateway, subgraph):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = Path(arguments.results_dir or RESULTS) / f"{stamp}-subscriptions.json"
    path.write_text(json.dumps(results, indent=2))
    print(json.dumps({key: value for key, value in results.items() if key != "steps"}))
    print(f"results: {path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.subscriptions")
    commands = parser.add_subparsers(dest="command")
    sub = commands.add_parser("subgraph")
    sub.add_argument("--port", type=int, required=True)
    sub.add_argument("--rate", type=float, required=True)
    clients = commands.add_parser("clients")
    clients.add_argument("--url", required=True)
    clients.add_argument("--count", type=int, required=True)
    clients.add_argument("--seconds", type=float, required=True)
    clients.add_argument("--report", type=Path, required=True)
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 300, 1000, 3000, 10000])
    parser.add_argument("--rate", type=float, default=1.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured per step")
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument("--subgraph-port", type=int, default=5150)
    parser.add_argument("--gateway-port", type=int, default=5151)
    parser.add_argument("--results-dir", default=None)
    arguments = parser.parse_args()
    if arguments.command == "subgraph":
        serve_subgraph(arguments.port, arguments.rate)
        return 0
    if arguments.command == "clients":
        asyncio.run(
            run_clients(arguments.url, arguments.count, arguments.seconds, arguments.report)
        )
        return 0
    return run(arguments)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
