"""A subgraph decides who is calling from the verified token alone: forged principal headers
make nobody anyone, a token it cannot verify is a 401 (a websocket is closed), and the same
request with a real token reaches private data."""

from __future__ import annotations

from typing import Any

import httpx

from subgraphs.common.events import InMemoryEventBus
from subgraphs.common.server import create_app
from subgraphs.metrics.subgraph import SUBGRAPH
from tests.issuer import TestIssuer
from tests.subgraphs.conftest import MakeHarness
from tests.subgraphs.harness import ISSUER, trusting_test_issuer

PLATFORM_USAGE = "{ platformUsage(granularity: DAY) { requests } }"
FORGED = {"x-switchboard-scopes": "platform:admin metrics:read", "x-switchboard-app-id": "app_1"}


async def test_forged_headers_count_for_nothing(make_harness: MakeHarness) -> None:
    harness = await make_harness(SUBGRAPH, seed=True)
    app = create_app(SUBGRAPH, harness.database, InMemoryEventBus(), trusting_test_issuer())
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://metrics"
    ) as client:
        forged = await client.post("/graphql", json={"query": PLATFORM_USAGE}, headers=FORGED)
        assert forged.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"

        admin = ISSUER.headers(scopes={"platform:admin", "metrics:read"})
        allowed = await client.post("/graphql", json={"query": PLATFORM_USAGE}, headers=admin)
        assert "errors" not in allowed.json()
        assert allowed.json()["data"]["platformUsage"]

        impostor = TestIssuer(ISSUER.issuer, kid=ISSUER.kid).headers(scopes={"platform:admin"})
        refused = await client.post("/graphql", json={"query": PLATFORM_USAGE}, headers=impostor)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert refused.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_a_websocket_with_a_bad_token_is_closed(make_harness: MakeHarness) -> None:
    harness = await make_harness(SUBGRAPH, seed=False)
    app = create_app(SUBGRAPH, harness.database, InMemoryEventBus(), trusting_test_issuer())
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "websocket.connect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "websocket",
        "asgi": {"version": "3.0"},
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "scheme": "ws",
        "query_string": b"",
        "headers": [(b"authorization", b"Bearer not-a-token")],
        "subprotocols": ["graphql-transport-ws"],
        "server": ("subgraph", 80),
        "client": ("client", 1234),
    }
    await app(scope, receive, send)
    assert sent == [{"type": "websocket.close", "code": 4401}]
