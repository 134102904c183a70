"""Server harness: `create_app` over the executor's stand-in supergraph, a hand-written planner
(one fetch to `products` with the client's normalized operation), and an in-memory subgraph."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
from graphql import OperationDefinitionNode, print_ast

from gateway.operation import PreparedOperation
from gateway.planning.nodes import Fetch, QueryPlan
from gateway.server import GatewayConfig, create_app
from gateway.server.pipeline import Planner
from tests.execution.harness import Subgraphs, supergraph

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
APPLICATION_JSON = "application/json"
MEDIA_TYPES = [APPLICATION_JSON, GRAPHQL_RESPONSE_JSON]


def single_fetch_planner(operation: PreparedOperation, _labels: frozenset[str]) -> QueryPlan:
    definition = OperationDefinitionNode(
        operation=operation.definition.operation,
        variable_definitions=operation.definition.variable_definitions,
        selection_set=operation.selection_set,
    )
    variables = tuple(
        variable.variable.name.value for variable in operation.definition.variable_definitions or ()
    )
    return QueryPlan(
        Fetch(
            "products",
            print_ast(definition),
            operation_kind=operation.kind,
            variable_usages=variables,
        )
    )


def products(_: dict[str, Any]) -> dict[str, Any]:
    return {"data": {"product": {"upc": "1", "name": "Table"}}}


@asynccontextmanager
async def gateway(
    handler: Callable[[dict[str, Any]], Any] = products,
    *,
    config: GatewayConfig | None = None,
    planner: Planner = single_fetch_planner,
) -> AsyncIterator[tuple[httpx.AsyncClient, Subgraphs]]:
    subgraphs = Subgraphs({"products": handler})
    app = create_app(
        supergraph("products"),
        config=config,
        transport=httpx.MockTransport(subgraphs),
        planner=planner,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        yield client, subgraphs
    await app.state.subgraph_client.aclose()
