"""Nothing a subgraph lets slip reaches the client by default: its error messages are
redacted and only allow-listed extension keys kept; an oversized answer is refused with a
code. Both are configurable per subgraph."""

from __future__ import annotations

from typing import Any

import httpx

from gateway.server import GatewayConfig
from gateway.server.config import SubgraphErrorsConfig, SubgraphsConfig
from tests.server.harness import gateway

QUERY = '{ product(upc: "1") { upc name } }'
LEAK = "(sqlite3.OperationalError) near \"x\": SELECT * FROM product WHERE upc = '1'"


def leaky(_: dict[str, Any]) -> dict[str, Any]:
    return {
        "data": {"product": {"upc": "1", "name": None}},
        "errors": [
            {
                "message": LEAK,
                "path": ["product", "name"],
                "locations": [{"line": 1, "column": 3}],
                "extensions": {
                    "code": "INTERNAL_SERVER_ERROR",
                    "stacktrace": ["File /srv/subgraph/products.py, line 12"],
                    "sql": "SELECT * FROM product",
                },
            }
        ],
    }


async def test_subgraph_errors_are_redacted_by_default_keeping_the_code_and_path() -> None:
    async with gateway(leaky) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.json() == {
        "data": {"product": {"upc": "1", "name": None}},
        "errors": [
            {
                "message": "Subgraph errors redacted",
                "path": ["product", "name"],
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "service": "products"},
            }
        ],
    }
    assert "SELECT" not in response.text
    assert "/srv" not in response.text


async def test_a_subgraph_can_be_trusted_with_its_errors() -> None:
    config = GatewayConfig(
        include_subgraph_errors=SubgraphErrorsConfig(subgraphs={"products": True})
    )
    async with gateway(leaky, config=config) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY})

    error = response.json()["errors"][0]
    assert error["message"] == LEAK
    assert error["extensions"]["sql"] == "SELECT * FROM product"


async def test_all_subgraphs_included_but_one() -> None:
    config = GatewayConfig(
        include_subgraph_errors=SubgraphErrorsConfig(all=True, subgraphs={"products": False})
    )
    async with gateway(leaky, config=config) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.json()["errors"][0]["message"] == "Subgraph errors redacted"


async def test_more_extension_keys_can_be_allowed() -> None:
    config = GatewayConfig(
        include_subgraph_errors=SubgraphErrorsConfig(allow_extensions_keys={"code", "sql"})
    )
    async with gateway(leaky, config=config) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.json()["errors"][0]["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "sql": "SELECT * FROM product",
        "service": "products",
    }


async def test_an_oversized_subgraph_answer_is_a_coded_error_with_partial_data() -> None:
    def huge(_: dict[str, Any]) -> httpx.Response:
        body = b'{"data": {"product": {"upc": "1", "name": "' + b"x" * 50_000 + b'"}}}'
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    config = GatewayConfig(subgraphs=SubgraphsConfig(max_response_bytes=10_000))
    async with gateway(huge, config=config) as (client, _):
        response = await client.post("/graphql", json={"query": QUERY})

    assert response.status_code == 200
    assert response.json() == {
        "data": {"product": None},
        "errors": [
            {
                "message": "Subgraph response from 'products' is larger than the limit of "
                "10000 bytes",
                "path": ["product"],
                "extensions": {"code": "SUBREQUEST_RESPONSE_TOO_LARGE", "service": "products"},
            }
        ],
    }
