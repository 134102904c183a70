"""The gateway forwards to subgraphs only the headers it is configured to forward.

A client's headers are its own: principal-looking headers (`x-switchboard-*`, `x-user-id`),
cookies, proxy headers and any other `x-*` header never reach a subgraph, which would otherwise
trust or log what any client can write. Only the trace context and the names listed under
`headers.propagate` go on."""

from __future__ import annotations

import httpx

from gateway.server import GatewayConfig
from tests.server.harness import gateway

QUERY = '{ product(upc: "1") { upc name } }'
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

HOSTILE = {
    "x-switchboard-app-id": "app-of-someone-else",
    "x-switchboard-installation-id": "inst-1",
    "x-switchboard-workspace-id": "ws-1",
    "x-switchboard-scopes": "apps:write installs:write",
    "x-switchboard-admin": "true",
    "x-user-id": "admin",
    "x-forwarded-for": "10.0.0.1",
    "x-real-ip": "10.0.0.1",
    "x-anything": "at all",
    "cookie": "session=stolen",
    "proxy-authorization": "Basic Zm9vOmJhcg==",
}


async def subgraph_headers(
    sent: dict[str, str], config: GatewayConfig | None = None
) -> httpx.Headers:
    async with gateway(config=config) as (client, subgraphs):
        response = await client.post("/graphql", json={"query": QUERY}, headers=sent)
    assert response.json() == {"data": {"product": {"upc": "1", "name": "Table"}}}
    (headers,) = subgraphs.headers["products"]
    return headers


async def test_no_client_header_reaches_a_subgraph_unless_configured() -> None:
    baseline = await subgraph_headers({})

    received = await subgraph_headers(HOSTILE)

    # Exactly what the gateway sends on its own: nothing the client added.
    assert dict(received) == dict(baseline)
    for name in HOSTILE:
        assert name not in received


async def test_configured_and_trace_headers_are_the_only_ones_forwarded() -> None:
    config = GatewayConfig.model_validate({"headers": {"propagate": ["X-Request-Id"]}})
    baseline = await subgraph_headers({}, config)

    received = await subgraph_headers(
        {**HOSTILE, "x-request-id": "req-7", "traceparent": TRACEPARENT}, config
    )

    added = {name: value for name, value in received.items() if name not in baseline}
    assert added == {"x-request-id": "req-7", "traceparent": TRACEPARENT}
