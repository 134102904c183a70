"""Per-subgraph timeouts from the config are applied: a subgraph with a short timeout of its own
(`subgraphs.timeouts_ms`) times out, while another, slower than that but under the default
(`subgraphs.timeout_ms`), answers."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from gateway.operation import PreparedOperation
from gateway.planning.nodes import Fetch, Parallel, QueryPlan
from gateway.server import GatewayConfig, create_app
from tests.execution.harness import Subgraphs, supergraph

QUERY = '{ product(upc: "1") { name } me { username } }'


def both_subgraphs(_operation: PreparedOperation, _labels: frozenset[str]) -> QueryPlan:
    return QueryPlan(
        Parallel((Fetch("products", '{product(upc:"1"){name}}'), Fetch("users", "{me{username}}")))
    )


async def test_a_per_subgraph_timeout_applies_to_that_subgraph_only() -> None:
    users_gave_up = asyncio.Event()

    async def users(_: dict[str, Any]) -> Any:
        try:
            await asyncio.Event().wait()  # never answers
        finally:
            users_gave_up.set()  # cancelled by its 50 ms timeout

    async def products(_: dict[str, Any]) -> Any:
        # Answers only after `users` timed out: longer than 50 ms, within the default.
        await users_gave_up.wait()
        return {"data": {"product": {"name": "Table"}}}

    subgraphs = Subgraphs({"products": products, "users": users})
    config = GatewayConfig.model_validate(
        {"subgraphs": {"timeout_ms": 30_000, "timeouts_ms": {"users": 50}}}
    )
    app = create_app(
        supergraph("products", "users"),
        config=config,
        transport=httpx.MockTransport(subgraphs),
        planner=both_subgraphs,
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway"
    ) as client:
        response = await client.post("/graphql", json={"query": QUERY})
    await app.state.subgraph_client.aclose()

    assert response.json() == {
        "data": {"product": {"name": "Table"}, "me": None},
        "errors": [
            {
                "message": "Request to subgraph 'users' timed out after 50 ms",
                "path": ["me"],
                "extensions": {"code": "SUBREQUEST_TIMEOUT", "service": "users"},
            }
        ],
    }
