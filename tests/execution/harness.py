"""Executor harness: a stand-in supergraph, hand-written plans, in-memory subgraphs.

Subgraphs are handler functions behind `httpx.MockTransport`, reached through the real
`HttpSubgraphClient`, so every test also runs the client's encoding and failure mapping.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson
from graphql import GraphQLSchema, build_schema

from gateway.execution import HttpSubgraphClient, execute
from gateway.execution.redaction import INCLUDE_ALL, SubgraphErrorPolicy
from gateway.operation import prepare
from gateway.planning.nodes import (
    Fetch,
    Flatten,
    PlanNode,
    QueryPlan,
    RequiredField,
    RequiredFragment,
)

SCHEMA_SDL = """
# An executable directive the gateway passes on (composition keeps those all subgraphs define).
directive @tagged(as: String) on FIELD
type Query {
  topProducts(first: Int): [Product!]!
  product(upc: String!): Product
  me: User
  search: [SearchResult!]!
  shelf: Shelf
}
type Mutation { addReview(upc: String!, body: String!): Review }
type Product {
  upc: String!
  name: String
  price: Int
  inStock: Boolean!
  color: Color
  reviews: [Review!]
  tags: [String]
  shelfmates: [SearchResult!]
}
type Review { id: ID! body: String! author: User }
type User { id: ID! username: String! }
type Shelf { products: [Product!]! label: String }
union SearchResult = Product | User
enum Color { RED GREEN }
"""
SCHEMA = build_schema(SCHEMA_SDL)

Handler = Callable[[dict[str, Any]], Awaitable[Any] | Any]


@dataclass(frozen=True)
class Graph:
    name: str
    url: str


@dataclass(frozen=True)
class StandInSupergraph:
    api_schema: GraphQLSchema
    graphs: Mapping[str, Graph]


def supergraph(*names: str) -> StandInSupergraph:
    return StandInSupergraph(
        api_schema=SCHEMA, graphs={name: Graph(name, f"http://{name}/graphql") for name in names}
    )


@dataclass
class Subgraphs:
    """Handlers by service name; every request body is recorded."""

    handlers: dict[str, Handler]
    requests: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    headers: dict[str, list[httpx.Headers]] = field(default_factory=dict)

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        service = request.url.host
        body = orjson.loads(request.content)
        self.requests.setdefault(service, []).append(body)
        self.headers.setdefault(service, []).append(request.headers)
        answer = self.handlers[service](body)
        if asyncio.iscoroutine(answer):
            answer = await answer
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)


async def run(
    plan_node: PlanNode | None,
    query: str,
    handlers: dict[str, Handler],
    variables: dict[str, Any] | None = None,
    *,
    timeout_seconds: float = 5.0,
    headers: dict[str, str] | None = None,
    subgraph_errors: SubgraphErrorPolicy = INCLUDE_ALL,
) -> tuple[dict[str, Any], Subgraphs]:
    subgraphs = Subgraphs(handlers)
    client = HttpSubgraphClient(
        transport=httpx.MockTransport(subgraphs), timeout_seconds=timeout_seconds
    )
    operation = prepare(query, None, SCHEMA)
    try:
        response = await execute(
            QueryPlan(plan_node),
            operation,
            variables,
            supergraph("products", "reviews", "users"),
            client,
            headers,
            subgraph_errors,
        )
    finally:
        await client.aclose()
    return response, subgraphs


def entity_fetch(service: str, type_name: str, keys: tuple[str, ...], selection: str) -> Fetch:
    return Fetch(
        service_name=service,
        operation=(
            "query($representations:[_Any!]!){_entities(representations:$representations)"
            f"{{...on {type_name}{{{selection}}}}}}}"
        ),
        requires=(
            RequiredFragment(
                type_name, (RequiredField("__typename"), *(RequiredField(key) for key in keys))
            ),
        ),
    )


def flatten(path: str, fetch: Fetch) -> Flatten:
    return Flatten(tuple(path.split(".")), fetch)
