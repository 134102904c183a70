"""The platform graph served through the gateway: the four seeded subgraphs mounted in process
(real ASGI apps, real databases), on SQLite and on PostgreSQL. The package's modules share one
seeded platform per backend (seeding is most of their time); a test that writes uses fresh
names, so the others still see the demo world."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
import pytest_asyncio

from gateway.auth import Authenticator
from gateway.dev import SUPERGRAPH, platform_subgraphs
from gateway.execution.asgi_router import AsgiRouterTransport
from gateway.server import GatewayConfig, create_app
from gateway.supergraph import Supergraph
from subgraphs.common.database import Database
from subgraphs.common.events import InMemoryEventBus
from subgraphs.common.principal import ADMIN_SCOPE, Principal
from subgraphs.common.server import create_app as create_subgraph_app
from subgraphs.common.server import prepare_database
from tests.conftest import TEST_DATABASE_URL, unavailable
from tests.subgraphs.harness import ISSUER, token_headers, trusting_test_issuer

ANALYST = Principal(scopes=frozenset({ADMIN_SCOPE, "metrics:read", "installs:read"}))


class CountingTransport(httpx.AsyncBaseTransport):
    """Records (subgraph host, request body) for every request the gateway sends."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[tuple[str, dict[str, Any]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.host, orjson.loads(request.content)))
        return await self.inner.handle_async_request(request)


class Platform:
    def __init__(self, subgraph_apps: dict[str, Any], backend: str = "sqlite") -> None:
        self.subgraph_apps = subgraph_apps
        self.backend = backend
        self.transport = CountingTransport(AsgiRouterTransport(subgraph_apps))
        config = GatewayConfig(
            override_subgraph_url={name: f"http://{name}/graphql" for name in subgraph_apps},
        )
        self.gateway = create_app(
            Supergraph.from_sdl(SUPERGRAPH.read_text()),
            config=config,
            transport=self.transport,
            authenticator=Authenticator(ISSUER.verifier()),
        )

    async def query(
        self,
        text: str,
        principal: Principal = ANALYST,
        variables: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The gateway's whole response body."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.gateway), base_url="http://gateway"
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": text, "variables": variables or {}},
                headers=token_headers(principal),
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ask_subgraph_body(
        self,
        name: str,
        text: str,
        variables: dict[str, Any] | None = None,
        principal: Principal = ANALYST,
    ) -> dict[str, Any]:
        """One subgraph's whole response body, asked directly."""
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.subgraph_apps[name]), base_url="http://sg"
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": text, "variables": variables or {}},
                headers=token_headers(principal),
            )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ask_subgraph(self, name: str, text: str, variables: dict[str, Any]) -> Any:
        return (await self.ask_subgraph_body(name, text, variables))["data"]


@pytest_asyncio.fixture(scope="package", loop_scope="package", params=["sqlite", "postgres"])
async def platform(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    directory: Path = tmp_path_factory.mktemp("platform")
    schemas: list[str] = []
    admin = None
    if request.param == "postgres":
        try:
            admin = await asyncpg.connect(TEST_DATABASE_URL)
        except (OSError, asyncpg.PostgresError) as error:
            unavailable("PostgreSQL", error)
    bus = InMemoryEventBus()
    databases = []
    apps = {}
    for subgraph in platform_subgraphs():
        if admin is None:
            database = Database(f"sqlite:///{directory / subgraph.name}.db")
        else:
            schema = f"platform_{subgraph.name}_{uuid.uuid4().hex[:12]}"
            await admin.execute(f'CREATE SCHEMA "{schema}"')
            schemas.append(schema)
            database = Database(TEST_DATABASE_URL, schema=schema)
        databases.append(database)
        await prepare_database(subgraph, database, seed=True)
        apps[subgraph.name] = create_subgraph_app(subgraph, database, bus, trusting_test_issuer())
    platform = Platform(apps, request.param)
    yield platform
    await platform.gateway.state.subgraph_client.aclose()
    for database in databases:
        await database.dispose()
    if admin is not None:
        for schema in schemas:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()
