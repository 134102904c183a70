"""Identical subscriptions share one upstream operation, counted at the subgraph.

Real processes: the benchmark's event subgraph (`python -m bench.subscriptions subgraph`, which
reports how many `ticks` subscriptions are open on it, `openTicks`) and `switchboard serve`
over a supergraph composed from it, trusting a test issuer (a verified token is forwarded to
the subgraph, and so decides the sharing); clients speak graphql-transport-ws (`websockets`)
and graphql-sse (raw, httpx) to the gateway.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from bench.subscriptions import compose_supergraph
from tests.e2e.test_processes import wait_healthy
from tests.issuer import TestIssuer
from tests.waiting import eventually, free_port

pytestmark = [pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
SWITCHBOARD = Path(sys.executable).parent / "switchboard"


def ticks(channel: int) -> str:
    return f"subscription {{ ticks(channel: {channel}) {{ id channel }} }}"


@dataclass
class Ticking:
    subgraph_url: str
    gateway_url: str
    issuer: TestIssuer

    @property
    def ws_url(self) -> str:
        return self.gateway_url.replace("http://", "ws://")

    async def open_ticks(self) -> int:
        async with httpx.AsyncClient() as client:
            answer = await client.post(self.subgraph_url, json={"query": "{ openTicks }"})
        return int(answer.json()["data"]["openTicks"])


@pytest.fixture(scope="module")
def ticking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ticking]:
    with TestIssuer().serve() as issuer:
        yield from ticking_with(issuer, tmp_path_factory.mktemp("sharing"))


def ticking_with(issuer: TestIssuer, directory: Path) -> Iterator[Ticking]:
    subgraph_port, gateway_port = free_port(), free_port()
    subgraph_url = f"http://127.0.0.1:{subgraph_port}/graphql"
    processes: list[subprocess.Popen[bytes]] = []
    supergraph, config = directory / "supergraph.graphql", directory / "switchboard.yaml"
    subgraph = [sys.executable, "-m", "bench.subscriptions", "subgraph",
                "--port", str(subgraph_port), "--rate", "20"]  # fmt: skip
    gateway = [str(SWITCHBOARD), "serve", "--supergraph", str(supergraph),
               "--config", str(config), "--port", str(gateway_port)]  # fmt: skip
    try:
        processes.append(subprocess.Popen(subgraph, cwd=ROOT))
        wait_healthy(subgraph_url + "?query=%7Brate%7D", processes[0])
        compose_supergraph(subgraph_url, directory)
        settings = {
            "auth": {"issuers": [{"issuer": issuer.issuer}]},
            "subscriptions": {"keepalive_ms": 300},
            "telemetry": {"logging": {"level": "warning"}},
        }
        config.write_text(json.dumps(settings))  # YAML reads JSON
        processes.append(subprocess.Popen(gateway, cwd=ROOT))
        wait_healthy(f"http://127.0.0.1:{gateway_port}/health", processes[1])
        yield Ticking(subgraph_url, f"http://127.0.0.1:{gateway_port}/graphql", issuer)
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)


@asynccontextmanager
async def subscribed(
    ticking: Ticking, channel: int, token: str | None = None
) -> AsyncIterator[ClientConnection]:
    async with connect(ticking.ws_url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init: dict[str, Any] = {"type": "connection_init"}
        if token is not None:
            init["payload"] = {"Authorization": f"Bearer {token}"}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        message = {"id": "1", "type": "subscribe", "payload": {"query": ticks(channel)}}
        await ws.send(json.dumps(message))
        yield ws


async def next_tick(ws: ClientConnection) -> dict[str, Any]:
    while True:
        message = json.loads(await ws.recv())
        if message["type"] == "next":
            tick: dict[str, Any] = message["payload"]["data"]["ticks"]
            return tick


async def test_identical_subscriptions_share_one_upstream_operation(ticking: Ticking) -> None:
    async with subscribed(ticking, 1) as first:
        await next_tick(first)
        async with subscribed(ticking, 1) as second, subscribed(ticking, 2) as other:
            # Both read the same stream: after the second's first tick, both get every tick.
            tick = await next_tick(second)
            while int((await next_tick(first))["id"]) < int(tick["id"]):
                pass
            assert (await next_tick(first))["id"] == (await next_tick(second))["id"]
            assert (await next_tick(other))["channel"] == 2
            # One operation for channel 1 (two clients), one for channel 2.
            assert await ticking.open_ticks() == 2
        # The second left: the first's operation goes on.
        await next_tick(first)
        assert await eventually(ticking.open_ticks, lambda count: count == 1)
    assert await eventually(ticking.open_ticks, lambda count: count == 0) == 0


async def test_sse_subscribers_that_go_away_stop_the_shared_operation(ticking: Ticking) -> None:
    body = {"query": ticks(3)}
    headers = {"accept": "text/event-stream", "content-type": "application/json"}
    async with httpx.AsyncClient(timeout=30) as client:
        for _ in range(2):  # the second round must not find the first's operation open
            async with (
                client.stream("POST", ticking.gateway_url, json=body, headers=headers) as one,
                client.stream("POST", ticking.gateway_url, json=body, headers=headers) as two,
            ):
                for response in (one, two):
                    lines = response.aiter_lines()
                    while not (await anext(lines)).startswith("data:"):
                        pass
                assert await ticking.open_ticks() == 1
            assert await eventually(ticking.open_ticks, lambda count: count == 0) == 0


async def test_an_open_websocket_is_pinged_every_keepalive_interval(ticking: Ticking) -> None:
    async with subscribed(ticking, 4) as ws:
        pings = 0
        while pings < 2:  # the second one shows the timer is set again after a ping
            message = json.loads(await ws.recv())
            if message["type"] == "ping":
                pings += 1
                await ws.send('{"type":"pong"}')


async def test_two_principals_never_share_an_upstream_operation(ticking: Ticking) -> None:
    alice = ticking.issuer.token(sub="alice")
    bob = ticking.issuer.token(sub="bob")
    async with (
        subscribed(ticking, 5, alice) as first,
        subscribed(ticking, 5, alice) as second,
        subscribed(ticking, 5, bob) as third,
    ):
        for ws in (first, second, third):
            await next_tick(ws)
        # Alice's two subscriptions share one operation (same request, same token); Bob's
        # identical subscription has its own, under his token.
        assert await ticking.open_ticks() == 2
    assert await eventually(ticking.open_ticks, lambda count: count == 0) == 0
