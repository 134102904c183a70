"""The platform graph served through the gateway: the four seeded subgraphs mounted in process,
one marketplace page crossing all of them, checked against the demo world and against each
subgraph asked directly — and planned so each subgraph is asked once per plan level.
Run over both database backends."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from statistics import mean
from typing import Any

import asyncpg
import httpx
import orjson
import pytest
import pytest_asyncio

from gateway.dev import SUPERGRAPH, platform_subgraphs
from gateway.execution.asgi_router import AsgiRouterTransport
from gateway.server import GatewayConfig, create_app
from gateway.server.config import HeadersConfig
from gateway.supergraph import Supergraph
from subgraphs.common.database import Database
from subgraphs.common.events import InMemoryEventBus
from subgraphs.common.principal import ADMIN_SCOPE, SCOPES_HEADER, Principal
from subgraphs.common.server import create_app as create_subgraph_app
from subgraphs.common.server import prepare_database
from subgraphs.demo.world import world
from tests.conftest import TEST_DATABASE_URL, unavailable

pytestmark = pytest.mark.asyncio(loop_scope="module")

ANALYST = Principal(scopes=frozenset({ADMIN_SCOPE, "metrics:read"}))

MARKETPLACE_PAGE = """
query MarketplacePage {
  listings(first: 12, sort: NAME) {
    totalCount
    nodes {
      tagline
      averageRating
      app {
        name
        organization { name }
        installCount
        usageSummary { requests }
      }
    }
  }
}
"""


class CountingTransport(httpx.AsyncBaseTransport):
    """Records (subgraph host, request body) for every request the gateway sends."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.requests: list[tuple[str, dict[str, Any]]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.host, orjson.loads(request.content)))
        return await self.inner.handle_async_request(request)


class Platform:
    def __init__(self, subgraph_apps: dict[str, Any]) -> None:
        self.subgraph_apps = subgraph_apps
        self.transport = CountingTransport(AsgiRouterTransport(subgraph_apps))
        config = GatewayConfig(
            override_subgraph_url={name: f"http://{name}/graphql" for name in subgraph_apps},
            headers=HeadersConfig(propagate=(SCOPES_HEADER,)),
        )
        self.gateway = create_app(
            Supergraph.from_sdl(SUPERGRAPH.read_text()), config=config, transport=self.transport
        )

    async def query(self, text: str, principal: Principal = ANALYST) -> dict[str, Any]:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.gateway), base_url="http://gateway"
        ) as client:
            response = await client.post(
                "/graphql", json={"query": text}, headers=principal.to_headers()
            )
        body: dict[str, Any] = response.json()
        return body

    async def ask_subgraph(self, name: str, text: str, variables: dict[str, Any]) -> Any:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.subgraph_apps[name]), base_url="http://sg"
        ) as client:
            response = await client.post(
                "/graphql",
                json={"query": text, "variables": variables},
                headers=ANALYST.to_headers(),
            )
        return response.json()["data"]


@pytest_asyncio.fixture(scope="module", loop_scope="module", params=["sqlite", "postgres"])
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
        apps[subgraph.name] = create_subgraph_app(subgraph, database, bus)
    platform = Platform(apps)
    yield platform
    await platform.gateway.state.subgraph_client.aclose()
    for database in databases:
        await database.dispose()
    if admin is not None:
        for schema in schemas:
            await admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        await admin.close()


async def test_marketplace_page_crosses_all_four_subgraphs(platform: Platform) -> None:
    body = await platform.query(MARKETPLACE_PAGE)
    assert "errors" not in body, body["errors"]
    listings = body["data"]["listings"]

    demo = world()
    published = sorted(
        (app for app in demo.apps if app.status == "PUBLISHED"), key=lambda app: app.name.lower()
    )
    assert listings["totalCount"] == len(published)
    organizations = {organization.id: organization.name for organization in demo.organizations}
    active = Counter(i.app_id for i in demo.installations if i.status == "ACTIVE")
    ratings: dict[str, list[int]] = {}
    for review in demo.reviews:
        ratings.setdefault(review.app_id, []).append(review.rating)

    usage = await platform.ask_subgraph(
        "metrics",
        "query($r: [_Any!]!) { _entities(representations: $r) "
        "{ ... on App { usageSummary { requests } } } }",
        {"r": [{"__typename": "App", "id": app.id} for app in published[:12]]},
    )
    for node, app, app_usage in zip(
        listings["nodes"], published[:12], usage["_entities"], strict=True
    ):
        assert node["tagline"] == app.tagline
        assert node["averageRating"] == pytest.approx(mean(ratings[app.id]), abs=0.01)
        assert node["app"] == {
            "name": app.name,
            "organization": {"name": organizations[app.organization_id]},
            "installCount": active[app.id],
            "usageSummary": app_usage["usageSummary"],
        }
        assert app_usage["usageSummary"]["requests"] > 0


async def test_each_subgraph_is_asked_once_per_plan_level(platform: Platform) -> None:
    platform.transport.requests.clear()
    body = await platform.query(MARKETPLACE_PAGE)
    assert "errors" not in body

    asked = [
        (host, "_entities" in request["query"]) for host, request in platform.transport.requests
    ]
    # Level 1: the listings page. Level 2: the page's apps, from apps, installs and metrics at
    # once. Level 3: the organizations' names... are resolved by apps within level 2.
    assert sorted(asked) == [
        ("apps", True),
        ("installs", True),
        ("marketplace", False),
        ("metrics", True),
    ]
    representations = {
        host: request["variables"]["representations"]
        for host, request in platform.transport.requests
        if "_entities" in request["query"]
    }
    for host, sent in representations.items():
        # Twelve listings, twelve distinct apps: each representation sent once.
        assert len(sent) == 12, host
        assert len({orjson.dumps(r) for r in sent}) == 12, host
