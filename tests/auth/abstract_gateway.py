"""The gateway over `tests/fixtures/auth_abstract/`: two tiny subgraphs whose authorization sits
on an interface and its fields, on union members, on object types, on an enum and a scalar.
The subgraphs answer from fixed data (executed against the API schema, abstract values typed by
their `__typename`), and record every operation they are sent."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import httpx
import orjson
from graphql import graphql_sync
from starlette.applications import Starlette

from gateway.auth import Authenticator, Revocations
from gateway.server import GatewayConfig, create_app
from gateway.supergraph import Supergraph
from tests.issuer import TestIssuer

SUPERGRAPH = (
    Path(__file__).resolve().parents[1] / "fixtures" / "auth_abstract" / "supergraph.graphql"
)
FILM = {"__typename": "Film", "id": "f1", "name": "Alien", "price": 12, "rating": "R"}
BOOK = {
    "__typename": "Book",
    "id": "b1",
    "name": "Dune",
    "price": 10,
    "isbn": "isbn-1",
    "similar": [FILM],
}
AUTHOR = {"__typename": "Author", "name": "Herbert"}
DATA = {"items": [BOOK, FILM], "results": [BOOK, FILM, AUTHOR], "code": "c-42"}


@cache
def abstract_supergraph() -> Supergraph:
    return Supergraph.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))


@dataclass
class DataSubgraphs:
    supergraph: Supergraph
    sent: list[tuple[str, str]] = field(default_factory=list)  # (host, query)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        query = orjson.loads(request.content)["query"]
        self.sent.append((request.url.host, query))
        result = graphql_sync(self.supergraph.api_schema, query, root_value=DATA)
        assert result.errors is None, result.errors
        return httpx.Response(200, json={"data": result.data})


@dataclass
class AbstractGateway:
    client: httpx.AsyncClient
    subgraphs: DataSubgraphs
    issuer: TestIssuer
    app: Starlette

    async def body(self, query: str, scopes: set[str] | None = None) -> dict[str, Any]:
        """`scopes` None: no token at all."""
        token = None if scopes is None else self.issuer.token(app="app_1", scopes=scopes)
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await self.client.post("/graphql", json={"query": query}, headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@asynccontextmanager
async def abstract_gateway(config: GatewayConfig | None = None) -> AsyncIterator[AbstractGateway]:
    supergraph = abstract_supergraph()
    issuer = TestIssuer()
    subgraphs = DataSubgraphs(supergraph)
    app = create_app(
        supergraph,
        config=config,
        transport=httpx.MockTransport(subgraphs),
        authenticator=Authenticator(issuer.verifier(), Revocations()),
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield AbstractGateway(client, subgraphs, issuer, app)
    await app.state.subgraph_client.aclose()
