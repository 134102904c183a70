"""`/health` and `/ready` over real HTTP: a subgraph server stops, `/ready` says 503, it comes
back, `/ready` says 200 again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.types import ASGIApp

from gateway.server import GatewayConfig, create_app
from gateway.server import app as app_module
from gateway.telemetry.config import ReadinessConfig, TelemetryConfig
from gateway.telemetry.readiness import FAILED_PROBE_PAUSE_SECONDS, SubgraphHealth
from tests.server.federated import products, reviews, users
from tests.server.test_federated import SUPERGRAPH
from tests.waiting import eventually, free_port


class Server:
    """One subgraph under uvicorn on a fixed port, which can be stopped and started again."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.port = free_port()
        self.task: asyncio.Task[None] | None = None
        self.server: uvicorn.Server | None = None

    async def start(self) -> None:
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.task = asyncio.create_task(self.server.serve())
        await eventually(lambda: self.server is not None and self.server.started)

    async def stop(self) -> None:
        assert self.server is not None
        assert self.task is not None
        self.server.should_exit = True
        await self.task


@pytest.fixture
async def servers() -> AsyncIterator[dict[str, Server]]:
    servers = {
        "products": Server(products.app),
        "reviews": Server(reviews.app),
        "users": Server(users.app),
    }
    for server in servers.values():
        await server.start()
    yield servers
    for server in servers.values():
        if server.server is not None and not server.server.should_exit:
            await server.stop()


class Clock:
    """The readiness clock, moved by the test: windows and pauses pass when the test says,
    not when a loaded machine gets round to it."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_ready_follows_the_subgraphs(
    servers: dict[str, Server], monkeypatch: pytest.MonkeyPatch
) -> None:
    clock = Clock()
    monkeypatch.setattr(
        app_module,
        "SubgraphHealth",
        lambda window, timeout: SubgraphHealth(window, timeout, clock=clock),
    )
    window = 5.0
    config = GatewayConfig(
        override_subgraph_url={
            name: f"http://127.0.0.1:{server.port}/graphql" for name, server in servers.items()
        },
        telemetry=TelemetryConfig(
            # A stopped server refuses at once; the timeout only has to outlast a slow machine.
            readiness=ReadinessConfig(window_seconds=window, probe_timeout_seconds=10)
        ),
    )
    app = create_app(SUPERGRAPH, config=config)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        assert (await client.get("/health")).json() == {"status": "ok"}
        ready = await client.get("/ready")
        assert ready.status_code == 200
        assert ready.json() == {
            "status": "ready",
            "subgraphs": {"products": "up", "reviews": "up", "users": "up"},
        }

        await servers["reviews"].stop()
        # Within the window nobody is probed: what answered lately counts as up.
        assert (await client.get("/ready")).status_code == 200
        clock.now += window + 0.01  # past it: each must answer a probe again
        down = await client.get("/ready")
        assert down.status_code == 503
        assert down.json() == {
            "status": "unavailable",
            "subgraphs": {"products": "up", "reviews": "down", "users": "up"},
        }
        assert (await client.get("/health")).status_code == 200

        await servers["reviews"].start()
        # A failed probe is not repeated within a second, even though reviews is back.
        clock.now += FAILED_PROBE_PAUSE_SECONDS - 0.01
        assert (await client.get("/ready")).status_code == 503
        clock.now += 0.02
        assert (await client.get("/ready")).status_code == 200
    await app.state.subgraph_client.aclose()
