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
  graphql-transport-ws or graphql-sse (`--protocol`) as asyncio protocols over raw sockets,
  on uvloop where installed (`--client-loop`), each connection subscribing to
  `ticks { id sentAt }`; per delivered event, the delay is arrival time minus `sentAt`;
- with `--floor`, a **trivial server** (`python -m bench.subscriptions floor`,
  `bench/fanout_floor.py`) that writes each event, framed once, to every subscriber: each step
  is measured against it too, with the same subscriber processes, and its figures are reported
  next to the gateway's (`floor`), so the gateway's delays read against what this machine
  does with no gateway work at all.

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
import base64
import contextlib
import importlib.util
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import httpx
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.federation import Schema

from bench.fanout_floor import serve_floor
from bench.procstats import cpu_seconds, memory_kib

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SWITCHBOARD = Path(sys.executable).parent / "switchboard"
P99_BUDGET_MS = 100.0
LOOPS = ("uvloop", "asyncio") if importlib.util.find_spec("uvloop") else ("asyncio",)


# The event subgraph.


@strawberry.type
class Tick:
    id: strawberry.ID
    channel: int
    sent_at: float

    @strawberry.field
    def padding(self, size: int = 0) -> str:
        """`size` bytes of filler: events as large as a test or benchmark needs."""
        return "x" * max(0, min(size, 1 << 20))


class Ticker:
    """Publishes a tick to every open subscription, `rate` times a second; counts the
    subscriptions open on it (the gateway shares one among identical client subscriptions)."""

    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.number = 0
        self.sent_at = 0.0
        self.changed = asyncio.Condition()
        self.open = 0

    async def publish(self) -> None:
        started = time.monotonic()
        while True:
            # On a fixed schedule, not "rate after the last one": a late tick does not
            # push the next ones back.
            await asyncio.sleep(
                max(0.0, started + (self.number + 1) / self.rate - time.monotonic())
            )
            self.number += 1
            self.sent_at = time.time()
            async with self.changed:
                self.changed.notify_all()


@strawberry.type
class Query:
    @strawberry.field
    def rate(self, info: strawberry.Info) -> float:
        ticker: Ticker = info.context["ticker"]
        return ticker.rate

    @strawberry.field
    def open_ticks(self, info: strawberry.Info) -> int:
        """Subscriptions to `ticks` open on this subgraph now."""
        ticker: Ticker = info.context["ticker"]
        return ticker.open


@strawberry.type
class Subscription:
    @strawberry.subscription
    async def ticks(
        self, info: strawberry.Info, channel: int = 0, after: strawberry.ID | None = None
    ) -> AsyncGenerator[Tick, None]:
        ticker: Ticker = info.context["ticker"]
        ticker.open += 1
        try:
            while True:
                async with ticker.changed:
                    await ticker.changed.wait()
                yield Tick(id=strawberry.ID(str(ticker.number)), channel=channel,
                           sent_at=ticker.sent_at)  # fmt: skip
        finally:
            ticker.open -= 1


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


# Subscribers: raw protocols on asyncio, no task and no JSON parsing per connection.

SENT_AT = b'"sentAt":'
NUMBER_END = re.compile(rb"[,}]")


class Recorder:
    """The delays of one client process: arrival time minus the event's `sentAt`."""

    def __init__(self, count: int) -> None:
        self.delays: list[float] = []
        self.counting = False
        self.waiting = count  # subscribers that have not had an event yet
        self.ready = asyncio.get_running_loop().create_future()
        self.lost = 0  # connections that ended before the step did

    def first(self) -> None:
        self.waiting -= 1
        if self.waiting == 0 and not self.ready.done():
            self.ready.set_result(None)

    def scan(self, buffer: bytes, arrived: float) -> tuple[bytes, int]:
        """Record every `sentAt` complete in `buffer`; the unread rest and how many."""
        found = 0
        while True:
            start = buffer.find(SENT_AT)
            if start < 0:
                return buffer[-len(SENT_AT) :], found
            match = NUMBER_END.search(buffer, start + len(SENT_AT))
            if match is None:
                return buffer[start:], found
            if self.counting:
                self.delays.append(arrived - float(buffer[start + len(SENT_AT) : match.start()]))
            found += 1
            buffer = buffer[match.end() :]


class Subscriber(asyncio.Protocol):
    """One subscription over a raw socket: the HTTP head, then the protocol's frames."""

    request: bytes = b""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.transport: asyncio.Transport | None = None
        self.head = True
        self.buffer = b""
        self.events = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        transport.write(self.request)

    def connection_lost(self, exc: Exception | None) -> None:
        self.recorder.lost += 1

    def data_received(self, data: bytes) -> None:
        arrived = time.time()
        self.buffer += data
        if self.head:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = self.buffer[: self.buffer.find(b"\r\n")]
            if b" 101 " not in status and b" 200 " not in status:
                raise RuntimeError(f"subscribing failed: {status!r}")
            self.buffer = self.buffer[end + 4 :]
            self.head = False
            self.opened()
        self.received(arrived)

    def opened(self) -> None: ...

    def received(self, arrived: float) -> None:
        self.buffer, found = self.recorder.scan(self.buffer, arrived)
        self.count(found)

    def count(self, found: int) -> None:
        if found and self.events == 0:
            self.recorder.first()
        self.events += found


def frame(opcode: int, payload: bytes) -> bytes:
    """A client frame: masked, with a zero key (so the payload is sent as is)."""
    length = len(payload)
    if length < 126:
        header = bytes((0x80 | opcode, 0x80 | length))
    elif length < 65536:
        header = bytes((0x80 | opcode, 0x80 | 126)) + length.to_bytes(2, "big")
    else:
        header = bytes((0x80 | opcode, 0x80 | 127)) + length.to_bytes(8, "big")
    return header + b"\0\0\0\0" + payload


class WebSocketSubscriber(Subscriber):
    """graphql-transport-ws: `connection_init`, `subscribe`; answers pings of both layers."""

    subscribe = b""

    def opened(self) -> None:
        assert self.transport is not None
        self.transport.write(frame(1, b'{"type":"connection_init"}'))

    def received(self, arrived: float) -> None:
        buffer = self.buffer
        found = 0
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            offset = 2
            if length == 126:
                length, offset = int.from_bytes(buffer[2:4], "big"), 4
            elif length == 127:
                length, offset = int.from_bytes(buffer[2:10], "big"), 10
            if len(buffer) < offset + length:
                break
            payload, buffer = buffer[offset : offset + length], buffer[offset + length :]
            found += self.message(opcode, payload, arrived)
        self.buffer = buffer
        self.count(found)

    def message(self, opcode: int, payload: bytes, arrived: float) -> int:
        assert self.transport is not None
        if opcode == 9:  # websocket ping
            self.transport.write(frame(10, payload))
        elif opcode == 8:  # close
            self.transport.close()
        elif opcode == 1:
            if b'"next"' in payload:
                return self.recorder.scan(payload, arrived)[1]
            if b'"connection_ack"' in payload:
                self.transport.write(frame(1, self.subscribe))
            elif b'"ping"' in payload:
                self.transport.write(frame(1, b'{"type":"pong"}'))
            elif b'"complete"' in payload or b'"error"' in payload:
                self.transport.close()
        return 0


def subscriber_class(protocol: str, host: str, port: int, query: str) -> type[Subscriber]:
    head = f"Host: {host}:{port}\r\n"
    if protocol == "ws":
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /graphql HTTP/1.1\r\n{head}Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n"
        ).encode()
        subscribe = json.dumps({"id": "1", "type": "subscribe", "payload": {"query": query}})
        return type(
            "WS", (WebSocketSubscriber,), {"request": request, "subscribe": subscribe.encode()}
        )
    body = json.dumps({"query": query}).encode()
    request = (
        f"POST /graphql HTTP/1.1\r\n{head}Accept: text/event-stream\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    return type("SSE", (Subscriber,), {"request": request})


def ticks_query(channel: int) -> str:
    return f"subscription {{ ticks(channel: {channel}) {{ id sentAt }} }}"


async def run_clients(arguments: argparse.Namespace) -> None:
    """`count` subscribers; prints "ready" once each got an event, measures when told on
    stdin ("go"), writes the delays to `report` after `seconds`."""
    raise_fd_limit()
    loop = asyncio.get_running_loop()
    recorder = Recorder(arguments.count)
    classes = [
        subscriber_class(arguments.protocol, arguments.host, arguments.port, ticks_query(channel))
        for channel in range(arguments.channels)
    ]
    transports: list[asyncio.BaseTransport] = []
    for index in range(arguments.count):
        kind = classes[(arguments.first + index) % len(classes)]
        transport, _ = await loop.create_connection(
            lambda kind=kind: kind(recorder),  # type: ignore[misc]
            arguments.host,
            arguments.port,
        )
        transports.append(transport)
        if index % 100 == 99:
            await asyncio.sleep(0.02)  # a ramp, not a connection storm
    await asyncio.wait_for(recorder.ready, 600)
    print("ready", flush=True)
    await loop.run_in_executor(None, sys.stdin.readline)
    recorder.counting = True
    await asyncio.sleep(arguments.seconds)
    recorder.counting = False
    report = {"delays": recorder.delays, "lost": recorder.lost}
    await asyncio.to_thread(arguments.report.write_text, json.dumps(report))
    print("done", flush=True)
    for opened in transports:
        opened.close()


def raise_fd_limit() -> int:
    """The soft limit on open files raised to the hard one (a subscriber is a socket)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


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


def wait_listening(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def open_ticks(subgraph_url: str) -> int:
    answer = httpx.post(subgraph_url, json={"query": "{ openTicks }"}, timeout=30).json()
    return int(answer["data"]["openTicks"])


def step(
    server_pid: int,
    port: int,
    count: int,
    arguments: argparse.Namespace,
    directory: Path,
    subgraph_url: str | None,
) -> dict[str, Any]:
    """N subscribers of the server on `port` (the gateway, or the floor's server), measured;
    `subgraph_url` is where open upstream subscriptions are counted (None: not counted)."""
    processes = min(arguments.client_processes, count)
    shares = [
        count // processes + (1 if index < count % processes else 0) for index in range(processes)
    ]
    clients = []
    first = 0
    for index, share in enumerate(shares):
        report = directory / f"delays-{port}-{count}-{index}.json"
        clients.append(
            (
                subprocess.Popen(
                    [sys.executable, "-m", "bench.subscriptions", "clients",
                     "--port", str(port), "--protocol", arguments.protocol,
                     "--channels", str(arguments.channels), "--first", str(first),
                     "--count", str(share), "--seconds", str(arguments.seconds),
                     "--loop", arguments.client_loop,
                     "--report", str(report)],
                    cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                ),
                report,
            )
        )  # fmt: skip
        first += share
    started = time.monotonic()
    for process, _ in clients:
        assert process.stdout is not None
        if process.stdout.readline().strip() != "ready":
            raise RuntimeError("a subscriber process failed to subscribe")
    ramp = time.monotonic() - started
    upstream = None if subgraph_url is None else open_ticks(subgraph_url)
    # CPU within the window: the clients disconnecting after it is not part of delivering.
    pids = [server_pid] + [process.pid for process, _ in clients]
    cpu_before = [cpu_seconds(pid) for pid in pids]
    window = time.monotonic()
    for process, _ in clients:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    time.sleep(arguments.seconds * 0.9)
    rss_kib = memory_kib(server_pid, "VmRSS")
    cpu = [cpu_seconds(pid) - before for pid, before in zip(pids, cpu_before, strict=True)]
    window = time.monotonic() - window
    delays: list[float] = []
    lost = 0
    for process, report in clients:
        assert process.stdout is not None
        process.stdout.readline()
        outcome = json.loads(report.read_text())
        delays += outcome["delays"]
        lost += outcome["lost"]
        process.wait(timeout=120)
    expected = int(count * arguments.seconds * arguments.rate)
    milliseconds = [delay * 1000 for delay in delays]
    return {
        "subscribers": count,
        "upstream_subscriptions": upstream,
        "connect_seconds": round(ramp, 1),
        "events_delivered": len(delays),
        "events_expected_about": expected,
        "connections_lost": lost,
        "p50_ms": round(percentile(milliseconds, 0.50), 1) if delays else None,
        "p99_ms": round(percentile(milliseconds, 0.99), 1) if delays else None,
        "max_ms": round(max(milliseconds), 1) if delays else None,
        "mean_ms": round(statistics.fmean(milliseconds), 1) if delays else None,
        "gateway_cpu_share": round(cpu[0] / window, 2),
        # Summed over the client processes (1.0 is one core busy).
        "clients_cpu_share": round(sum(cpu[1:]) / window, 2),
        "gateway_rss_kib": rss_kib,
    }


def held(outcome: dict[str, Any]) -> bool:
    """Every subscriber within the latency budget, (nearly) every event, no connection lost."""
    return (
        outcome["p99_ms"] is not None
        and outcome["p99_ms"] < P99_BUDGET_MS
        and outcome["events_delivered"] >= 0.9 * outcome["events_expected_about"]
        and outcome["connections_lost"] == 0
    )


FLOOR_FIGURES = ("p50_ms", "p99_ms", "max_ms", "events_delivered", "connections_lost")


def run(arguments: argparse.Namespace) -> int:
    raise_fd_limit()  # the gateway inherits it
    directory = Path(tempfile.mkdtemp(prefix="bench-subscriptions-"))
    subgraph_port, gateway_port = arguments.subgraph_port, arguments.gateway_port
    subgraph_url = f"http://127.0.0.1:{subgraph_port}/graphql"
    subgraph = subprocess.Popen(
        [sys.executable, "-m", "bench.subscriptions", "subgraph",
         "--port", str(subgraph_port), "--rate", str(arguments.rate)],
        cwd=ROOT,
    )  # fmt: skip
    gateway = floor = None
    if arguments.floor:
        floor = subprocess.Popen(
            [sys.executable, "-m", "bench.subscriptions", "floor",
             "--port", str(arguments.floor_port), "--rate", str(arguments.rate)],
            cwd=ROOT,
        )  # fmt: skip
    results: dict[str, Any] = {
        "protocol": arguments.protocol,
        "rate_per_second": arguments.rate,
        "channels": arguments.channels,
        "seconds_per_step": arguments.seconds,
        "client_processes": arguments.client_processes,
        "client_loop": arguments.client_loop,
        "open_files_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        "load_average_at_start": os.getloadavg()[0],
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
        if floor is not None:
            wait_listening(arguments.floor_port)
        for count in arguments.steps:
            outcome = step(
                gateway.pid, arguments.gateway_port, count, arguments, directory, subgraph_url
            )
            outcome["rss_per_subscriber_kib"] = round(
                (outcome["gateway_rss_kib"] - idle) / count, 1
            )
            if floor is not None:
                # The same subscribers against the trivial server (`fanout_floor.py`).
                measured = step(floor.pid, arguments.floor_port, count, arguments, directory, None)
                outcome["floor"] = {name: measured[name] for name in FLOOR_FIGURES}
                outcome["floor"]["cpu_share"] = measured["gateway_cpu_share"]
                outcome["floor"]["clients_cpu_share"] = measured["clients_cpu_share"]
                if held(measured):
                    results["floor_largest_held"] = count
            results["steps"].append(outcome)
            print(json.dumps(outcome), flush=True)
            if held(outcome):
                results["largest_held"] = count
            elif not arguments.keep_going:
                break
    finally:
        for process in (gateway, subgraph, floor):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
    results["load_average_at_end"] = os.getloadavg()[0]
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
    floor = commands.add_parser("floor")
    floor.add_argument("--port", type=int, required=True)
    floor.add_argument("--rate", type=float, required=True)
    clients = commands.add_parser("clients")
    clients.add_argument("--host", default="127.0.0.1")
    clients.add_argument("--port", type=int, required=True)
    clients.add_argument("--protocol", choices=("ws", "sse"), default="ws")
    clients.add_argument("--channels", type=int, default=1)
    clients.add_argument("--first", type=int, default=0)
    clients.add_argument("--count", type=int, required=True)
    clients.add_argument("--seconds", type=float, required=True)
    clients.add_argument("--report", type=Path, required=True)
    clients.add_argument("--loop", choices=LOOPS, default=LOOPS[0])
    parser.add_argument("--steps", type=int, nargs="+", default=[100, 1000, 3000, 10000])
    parser.add_argument("--rate", type=float, default=1.0, help="events per second")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured per step")
    parser.add_argument(
        "--protocol", choices=("ws", "sse"), default="ws",
        help="graphql-transport-ws or graphql-sse (distinct connections)",
    )  # fmt: skip
    parser.add_argument(
        "--channels", type=int, default=1,
        help="distinct subscriptions (upstream operations); subscribers spread over them",
    )  # fmt: skip
    parser.add_argument("--client-processes", type=int, default=2)
    parser.add_argument(
        "--client-loop", choices=LOOPS, default=LOOPS[0],
        help="the subscriber processes' event loop (uvloop where installed: it reads a "
        "ready socket with no Python per event, so the clients delay events less)",
    )  # fmt: skip
    parser.add_argument(
        "--floor", action="store_true",
        help="also measure each step against a trivial server with the same subscribers: "
        "this machine's fan-out floor (bench/fanout_floor.py)",
    )  # fmt: skip
    parser.add_argument("--floor-port", type=int, default=5152)
    parser.add_argument("--keep-going", action="store_true", help="past a step not held")
    parser.add_argument("--subgraph-port", type=int, default=5150)
    parser.add_argument("--gateway-port", type=int, default=5151)
    parser.add_argument("--results-dir", default=None)
    arguments = parser.parse_args()
    if arguments.command == "subgraph":
        serve_subgraph(arguments.port, arguments.rate)
        return 0
    if arguments.command == "floor":
        serve_floor(arguments.port, arguments.rate)
        return 0
    if arguments.command == "clients":
        if arguments.loop == "uvloop":
            import uvloop

            uvloop.run(run_clients(arguments))
        else:
            asyncio.run(run_clients(arguments))
        return 0
    return run(arguments)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
