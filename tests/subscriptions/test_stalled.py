"""A client that stops reading its subscription is cut off after the write timeout; the others
go on.

Real processes: the benchmark's event subgraph (`python -m bench.subscriptions subgraph`, whose
ticks carry as much `padding` as asked) and `switchboard serve` with a 1 s
`subscriptions.write_timeout_ms`. The stalled client is a raw socket with a small receive
buffer that subscribes over each protocol (graphql-transport-ws, legacy graphql-ws, SSE,
multipart) and then never reads again; a `websockets` client subscribed to the same ticks
(one shared upstream operation) reads all along.
"""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from bench.subscriptions import compose_supergraph, frame
from tests.e2e.test_processes import wait_healthy
from tests.waiting import eventually, free_port

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SWITCHBOARD = Path(sys.executable).parent / "switchboard"
WRITE_TIMEOUT_MS = 1_000
# Large events fill the stalled client's buffers (kernel and transport) within seconds; few of
# them, so that the subgraph (which skips a tick it is too busy to send) sends every one.
PADDING = 100_000
TICKS = f"subscription {{ ticks(channel: 1) {{ id padding(size: {PADDING}) }} }}"
# Generous: filling the buffers, then the write timeout, on a loaded machine.
DEADLINE_SECONDS = 60.0


@dataclass
class Gateway:
    port: int
    subgraph_url: str
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def metric(self, name: str) -> float:
        async with httpx.AsyncClient() as client:
            text = (await client.get(f"http://127.0.0.1:{self.port}/metrics")).text
        found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
        return float(found.group(1)) if found else 0.0

    async def open_ticks(self) -> int:
        async with httpx.AsyncClient() as client:
            answer = await client.post(self.subgraph_url, json={"query": "{ openTicks }"})
        return int(answer.json()["data"]["openTicks"])


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    directory = tmp_path_factory.mktemp("stalled")
    subgraph_port, gateway_port = free_port(), free_port()
    subgraph_url = f"http://127.0.0.1:{subgraph_port}/graphql"
    supergraph, config = directory / "supergraph.graphql", directory / "switchboard.yaml"
    log = directory / "gateway.log"
    subgraph = [sys.executable, "-m", "bench.subscriptions", "subgraph",
                "--port", str(subgraph_port), "--rate", "5"]  # fmt: skip
    command = [str(SWITCHBOARD), "serve", "--supergraph", str(supergraph),
               "--config", str(config), "--port", str(gateway_port)]  # fmt: skip
    processes: list[subprocess.Popen[bytes]] = []
    with log.open("wb") as log_file:
        try:
            processes.append(subprocess.Popen(subgraph, cwd=ROOT))
            wait_healthy(subgraph_url + "?query=%7Brate%7D", processes[0])
            compose_supergraph(subgraph_url, directory)
            settings = {
                "subscriptions": {"write_timeout_ms": WRITE_TIMEOUT_MS},
                "telemetry": {"logging": {"level": "info"}},
            }
            config.write_text(json.dumps(settings))  # YAML reads JSON
            processes.append(subprocess.Popen(command, cwd=ROOT, stderr=log_file))
            wait_healthy(f"http://127.0.0.1:{gateway_port}/health", processes[1])
            yield Gateway(gateway_port, subgraph_url, log)
        finally:
            for process in reversed(processes):
                process.terminate()
                process.wait(timeout=30)


def stalled_socket(port: int) -> socket.socket:
    sock = socket.socket()
    # Before connecting, so the advertised window stays small.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(DEADLINE_SECONDS)
    sock.connect(("127.0.0.1", port))
    return sock


def read_until(sock: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise AssertionError(f"closed before {marker!r}: {received[-500:]!r}")
        received += chunk
    return received


def websocket_handshake(sock: socket.socket, port: int, subprotocol: str) -> None:
    sock.sendall(
        (
            f"GET /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            f"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: {subprotocol}\r\n\r\n"
        ).encode()
    )
    read_until(sock, b"\r\n\r\n")


def send_json(sock: socket.socket, message: dict[str, Any]) -> None:
    sock.sendall(frame(1, json.dumps(message).encode()))


def http_subscribe(sock: socket.socket, port: int, accept: str) -> None:
    body = json.dumps({"query": TICKS}).encode()
    sock.sendall(
        (
            f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: {accept}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        + body
    )
    read_until(sock, b"padding")  # the first event: the subscription runs


def subscribe_and_stall(protocol: str, port: int) -> socket.socket:
    """A client subscribed to the ticks, once it got a first event; it reads no more."""
    sock = stalled_socket(port)
    if protocol == "graphql-transport-ws":
        websocket_handshake(sock, port, protocol)
        send_json(sock, {"type": "connection_init"})
        read_until(sock, b"connection_ack")
        send_json(sock, {"id": "1", "type": "subscribe", "payload": {"query": TICKS}})
        read_until(sock, b"padding")
    elif protocol == "graphql-ws":
        websocket_handshake(sock, port, protocol)
        send_json(sock, {"type": "connection_init"})
        read_until(sock, b"connection_ack")
        send_json(sock, {"id": "1", "type": "start", "payload": {"query": TICKS}})
        read_until(sock, b"padding")
    elif protocol == "sse":
        http_subscribe(sock, port, "text/event-stream")
    else:
        http_subscribe(sock, port, 'multipart/mixed;subscriptionSpec="1.0",application/json')
    return sock


def reset_or_closed(sock: socket.socket) -> bool:
    """Reads what is left; whether the gateway ended the connection (EOF or reset)."""
    try:
        while sock.recv(1 << 16):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


async def read_ticks(ws: ClientConnection, ids: list[int]) -> None:
    async for raw in ws:
        message = json.loads(raw)
        if message["type"] == "next":
            ids.append(int(message["payload"]["data"]["ticks"]["id"]))
        elif message["type"] != "ping":
            raise AssertionError(f"the reading subscriber got {message}")


@pytest.mark.parametrize(
    ("protocol", "kind"),
    [
        ("graphql-transport-ws", "websocket"),
        ("graphql-ws", "websocket"),
        ("sse", "http"),
        ("multipart", "http"),
    ],
)
async def test_a_client_that_stops_reading_is_disconnected_and_the_others_go_on(
    gateway: Gateway, protocol: str, kind: str
) -> None:
    stalled_metric = f'switchboard_stalled_connections_total{{kind="{kind}"}}'
    stalled_before = await gateway.metric(stalled_metric)
    open_before = await gateway.metric("switchboard_open_subscriptions")
    ws_url = gateway.url.replace("http://", "ws://")
    async with connect(ws_url, subprotocols=["graphql-transport-ws"], max_size=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init"}))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        subscribe = {"id": "1", "type": "subscribe", "payload": {"query": TICKS}}
        await ws.send(json.dumps(subscribe))
        ids: list[int] = []
        reading = asyncio.create_task(read_ticks(ws, ids))
        await eventually(lambda: ids, seconds=DEADLINE_SECONDS)

        sock = await asyncio.to_thread(subscribe_and_stall, protocol, gateway.port)
        await eventually(
            lambda: gateway.metric("switchboard_open_subscriptions"),
            lambda count: count == open_before + 2,
            seconds=DEADLINE_SECONDS,
        )
        with sock:
            # The stalled connection is aborted once its writes block for the write timeout,
            # and its subscriber is gone; the reading one is still there.
            await eventually(
                lambda: gateway.metric(stalled_metric),
                lambda count: count == stalled_before + 1,
                seconds=DEADLINE_SECONDS,
                interval=0.1,
            )
            await eventually(
                lambda: gateway.metric("switchboard_open_subscriptions"),
                lambda count: count == open_before + 1,
                seconds=DEADLINE_SECONDS,
            )
            sock.settimeout(10)
            assert await asyncio.to_thread(reset_or_closed, sock)

        # The reader got every event meanwhile, and goes on getting them.
        seen = len(ids)
        await eventually(lambda: len(ids) >= seen + 3, seconds=DEADLINE_SECONDS)
        assert not reading.done()
        assert ids == list(range(ids[0], ids[0] + len(ids)))
        reading.cancel()

    # Neither subscriber keeps the upstream operation.
    await eventually(gateway.open_ticks, lambda count: count == 0, seconds=DEADLINE_SECONDS)
    log = gateway.log.read_text()
    assert "read nothing for 1.0 s" in log
    assert "Traceback" not in log
    assert "exception" not in log.lower()
