"""The gateway over the platform supergraph, with mock subgraphs and a test issuer's keys."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette

from gateway.auth import Authenticator, Revocations
from gateway.server import GatewayConfig, create_app
from gateway.supergraph import Supergraph
from tests.auth.mock_subgraphs import MockSubgraphs
from tests.issuer import TestIssuer

SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"


@cache
def platform_supergraph() -> Supergraph:
    return Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))


@dataclass
class AuthGateway:
    client: httpx.AsyncClient
    subgraphs: MockSubgraphs
    issuer: TestIssuer
    revocations: Revocations
    app: Starlette

    async def post(self, query: str, token: str | None = None, **extra: Any) -> httpx.Response:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        return await self.client.post("/graphql", json={"query": query, **extra}, headers=headers)

    async def body(self, query: str, token: str | None = None) -> dict[str, Any]:
        response = await self.post(query, token)
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def auth_gateway(config: GatewayConfig | None = None) -> AsyncIterator[AuthGateway]:
    supergraph = platform_supergraph()
    issuer = TestIssuer()
    subgraphs = MockSubgraphs(supergraph.api_schema)
    revocations = Revocations()
    app = create_app(
        supergraph,
        config=config,
        transport=httpx.MockTransport(subgraphs),
        authenticator=Authenticator(issuer.verifier(), revocations),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield AuthGateway(client, subgraphs, issuer, revocations, app)
    await app.state.subgraph_client.aclose()
