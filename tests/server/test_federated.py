"""End to end in one process: three Strawberry federation subgraphs behind `create_app`.

The supergraph beside this file was composed from the subgraphs with Apollo's composition
(`scripts/apollo/compose.mjs`); queries cross subgraphs and the responses are exact.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.execution import AsgiRouterTransport
from gateway.server import create_app
from gateway.supergraph import Supergraph
from tests.server.federated import products, reviews, users
from tests.server.harness import MEDIA_TYPES

SUPERGRAPH = Supergraph.from_sdl(
    (Path(__file__).parent / "federated" / "supergraph.graphql").read_text(encoding="utf-8")
)


class Recorder:
    """Wraps a subgraph app and keeps the bodies it was sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.bodies: list[dict[str, Any]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        chunks: list[bytes] = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        self.bodies.append(orjson.loads(b"".join(chunks)))
        delivered = False

        async def replay() -> dict[str, Any]:
            nonlocal delivered
            if delivered:
                return await receive()
            delivered = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)


async def unavailable(scope: Scope, receive: Receive, send: Send) -> None:
    await send({"type": "http.response.start", "status": 503, "headers": []})
    await send({"type": "http.response.body", "body": b"down"})


@pytest.fixture
def subgraphs() -> dict[str, Recorder]:
    return {
        "products": Recorder(products.app),
        "reviews": Recorder(reviews.app),
        "users": Recorder(users.app),
    }


@pytest.fixture
async def client(subgraphs: dict[str, Recorder]) -> AsyncIterator[httpx.AsyncClient]:
    async with GatewayClient(subgraphs) as client:
        yield client


class GatewayClient:
    def __init__(self, apps: dict[str, ASGIApp]) -> None:
        self.app = create_app(SUPERGRAPH, transport=AsgiRouterTransport(apps))
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://gateway"
        )

    async def __aenter__(self) -> httpx.AsyncClient:
        await self.client.__aenter__()
        return self.client

    async def __aexit__(self, *exc_info: object) -> None:
        await self.client.__aexit__(*exc_info)
        await self.app.state.subgraph_client.aclose()


async def query(client: httpx.AsyncClient, body: dict[str, Any], accept: str) -> httpx.Response:
    return await client.post("/graphql", json=body, headers={"accept": accept})


@pytest.mark.parametrize("accept", MEDIA_TYPES)
async def test_a_query_across_three_subgraphs(
    client: httpx.AsyncClient, subgraphs: dict[str, Recorder], accept: str
) -> None:
    response = await query(
        client,
        {
            "query": """
            query Top {
              topProducts(first: 2) {
                name
                reviews { body author { username } }
              }
            }
            """
        },
        accept,
    )

    assert response.status_code == 200
    assert response.json() == {
        "data": {
            "topProducts": [
                {
                    "name": "Table",
                    "reviews": [
                        {"body": "Love it!", "author": {"username": "ada"}},
                        {"body": "Prefer something else.", "author": {"username": "ada"}},
                    ],
                },
                {
                    "name": "Couch",
                    "reviews": [{"body": "Too expensive.", "author": {"username": "alan"}}],
                },
            ]
        }
    }
    assert [len(recorder.bodies) for recorder in subgraphs.values()] == [1, 1, 1]
    # The same author twice is one representation.
    assert subgraphs["users"].bodies[0]["variables"]["representations"] == [
        {"__typename": "User", "id": "u1"},
        {"__typename": "User", "id": "u2"},
    ]


@pytest.mark.parametrize("with_price", [True, False])
async def test_aliases_typenames_fragments_and_conditions(
    client: httpx.AsyncClient, with_price: bool
) -> None:
    response = await query(
        client,
        {
            "query": """
            query Shop($withPrice: Boolean!) {
              kind: __typename
              chair: product(upc: "3") {
                ...Named
                cost: price @include(if: $withPrice)
                reviews { __typename text: body }
              }
              me { id handle: username }
            }
            fragment Named on Product { __typename title: name }
            """,
            "variables": {"withPrice": with_price},
        },
        "application/json",
    )

    chair: dict[str, Any] = {"__typename": "Product", "title": "Chair"}
    if with_price:
        chair["cost"] = 54
    chair["reviews"] = [{"__typename": "Review", "text": "Could be better."}]
    assert response.json() == {
        "data": {"kind": "Query", "chair": chair, "me": {"id": "u1", "handle": "ada"}}
    }
    assert list(response.json()["data"]["chair"]) == list(chair)


async def test_a_mutation_then_an_entity_fetch(
    client: httpx.AsyncClient, subgraphs: dict[str, Recorder]
) -> None:
    response = await query(
        client,
        {"query": 'mutation { addReview(upc: "1", body: "Sturdy.") { body author { username } } }'},
        "application/graphql-response+json",
    )

    assert response.json() == {
        "data": {"addReview": {"body": "Sturdy.", "author": {"username": "ada"}}}
    }
    assert reviews.written[-1] == "Sturdy."


async def test_a_subgraph_down_gives_partial_data() -> None:
    apps: dict[str, ASGIApp] = {
        "products": unavailable,
        "reviews": reviews.app,
        "users": users.app,
    }
    async with GatewayClient(apps) as client:
        response = await query(
            client,
            {"query": '{ product(upc: "1") { name } me { username } reviewCount }'},
            "application/graphql-response+json",
        )

    assert response.status_code == 200
    assert response.json() == {
        "data": {"product": None, "me": {"username": "ada"}, "reviewCount": 4},
        "errors": [
            {
                "message": "HTTP fetch failed from 'products': 503 Service Unavailable",
                "path": ["product"],
                "extensions": {
                    "code": "SUBREQUEST_HTTP_ERROR",
                    "service": "products",
                    "http": {"status": 503},
                },
            }
        ],
    }


async def test_an_operation_the_api_schema_does_not_have_is_refused(
    client: httpx.AsyncClient,
) -> None:
    response = await query(
        client,
        {"query": "{ _entities(representations: []) { __typename } }"},
        "application/graphql-response+json",
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        "Cannot query field '_entities' on type 'Query'."
    )
