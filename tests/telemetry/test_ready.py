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
from gateway.telemetry.config import ReadinessConfig, TelemetryConfig
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


async def test_ready_follows_the_subgraphs(servers: dict[str, Server]) -> None:
    config = GatewayConfig(
        override_subgraph_url={
            name: f"http://127.0.0.1:{server.port}/graphql" for name, server in servers.items()
        },
        telemetry=TelemetryConfig(
            readiness=ReadinessConfig(window_seconds=0.05, probe_timeout_seconds=1)
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
        await asyncio.sleep(0.1)  # past the window: reviews must answer a probe again
        down = await client.get("/ready")
        assert down.status_code == 503
        assert down.json() == {
            "status": "unavailable",
            "subgraphs": {"products": "up", "reviews": "down", "users": "up"},
        }
        assert (await client.get("/health")).status_code == 200

        await servers["reviews"].start()
        await asyncio.sleep(1.1)  # a failed probe is not repeated within a second
        assert (await client.get("/ready")).status_code == 200
    await app.state.subgraph_client.aclose()
